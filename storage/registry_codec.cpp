#include "storage/registry_codec.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>

namespace fedstack::storage {

namespace {

using json = nlohmann::json;

json parse_record(std::string_view bytes) {
  json record;
  try {
    // Even without exceptions, from_cbor throws out_of_range for a huge declared size.
    record = json::from_cbor(bytes.begin(), bytes.end(), true, false);
  } catch (const json::exception& e) {
    throw corrupt_record(std::string{"registry record is not CBOR: "} + e.what());
  }
  if (record.is_discarded() || !record.is_object())
    throw corrupt_record("registry record is not a CBOR map");
  auto version = record.find("v");
  if (version == record.end() || !version->is_number_integer())
    throw corrupt_record("registry record has no version");
  // Compared as JSON numbers: get<int>() wrapped 2^32 + 1 around to version 1.
  if (*version != record_version)
    throw corrupt_record("unsupported registry record version " + version->dump());
  return record;
}

// A float would be cast to int64, undefined when out of range.
bool is_int64(const json& x) {
  return x.is_number_integer() && !(x.is_number_unsigned() && x.get<std::uint64_t>() > INT64_MAX);
}

bool is_attempt_token(std::string_view token) {
  bool hex = token.size() == 32;
  for (char c : token)
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  return hex;
}

}  // namespace

std::optional<store_error> check_id(std::string_view what, std::string_view id) {
  auto fail = [&](const char* why) {
    return make_store_error(store_errc::invalid_argument, std::string{what} + why);
  };
  if (id.empty())
    return fail(" is empty");
  if (id.size() > max_id_size)
    return fail(" is longer than 250 bytes");
  if (id.find('\0') != std::string_view::npos)
    return fail(" contains a NUL byte");
  return std::nullopt;
}

std::optional<store_error> check_entry(const registry_entry& entry) {
  if (auto err = check_id("global_id", entry.global_id))
    return err;
  if (auto err = check_id("project_id", entry.project_id))
    return err;
  if (!is_valid(entry.kind))
    return make_store_error(store_errc::invalid_argument, "invalid resource kind");
  if (!is_valid(entry.state))
    return make_store_error(store_errc::invalid_argument, "invalid entry state");
  if (entry.name.size() > max_name_size)
    return make_store_error(store_errc::invalid_argument, "name is too long");
  if (entry.attempt) {
    if (!is_attempt_token(entry.attempt->token))
      return make_store_error(store_errc::invalid_argument, "attempt token must be 32 lowercase hex digits");
    if (auto err = check_id("attempt cloudlet", entry.attempt->cloudlet))
      return err;
    if (entry.attempt->description.size() > max_name_size)
      return make_store_error(store_errc::invalid_argument, "attempt description is too long");
  }
  if (entry.copies.size() > max_copies)
    return make_store_error(store_errc::invalid_argument, "too many copies");
  std::set<std::string_view> cloudlets;
  for (const auto& copy : entry.copies) {
    if (auto err = check_id("cloudlet", copy.cloudlet))
      return err;
    if (auto err = check_id("local_id", copy.local_id))
      return err;
    if (!cloudlets.insert(copy.cloudlet).second)
      return make_store_error(store_errc::invalid_argument,
                              "two copies on cloudlet " + copy.cloudlet);
  }
  return std::nullopt;
}

std::string project_prefix(std::string_view project, resource_kind kind) {
  std::string result{project};
  result += '\0';
  result += to_string(kind);
  result += '\0';
  return result;
}

std::string project_key(std::string_view project, resource_kind kind,
                        std::string_view global_id) {
  auto result = project_prefix(project, kind);
  result += global_id;
  return result;
}

std::string local_key(std::string_view cloudlet, std::string_view local_id) {
  std::string result{cloudlet};
  result += '\0';
  result += local_id;
  return result;
}

std::string count_key(resource_kind kind) {
  return "count/" + to_string(kind);
}

std::string app_meta_key(std::string_view key) {
  return "app/" + std::string{key};
}

std::string encode_entry(const registry_entry& entry) {
  json copies = json::array();
  for (const auto& copy : entry.copies)
    copies.push_back(json::array({copy.cloudlet, copy.local_id}));
  json record = {{"v", record_version},
                 {"k", to_string(entry.kind)},
                 {"p", entry.project_id},
                 {"s", to_string(entry.state)},
                 {"c", std::move(copies)},
                 {"t", entry.created_unix_ms},
                 {"n", entry.name}};
  // Optional, so that records written before it load (and older binaries ignore it).
  if (entry.attempt)
    record["a"] = {{"t", entry.attempt->token}, {"c", entry.attempt->cloudlet}, {"d", entry.attempt->description}};
  if (entry.deleted_unix_ms != 0)
    record["d"] = entry.deleted_unix_ms;
  std::string result;
  json::to_cbor(record, result);
  return result;
}

registry_entry decode_entry(std::string_view global_id, std::string_view bytes) {
  auto record = parse_record(bytes);
  try {
    registry_entry result;
    result.global_id = std::string{global_id};
    if (!from_string(record.at("k").get<std::string>(), result.kind))
      throw corrupt_record("registry record has an unknown kind");
    if (!from_string(record.at("s").get<std::string>(), result.state))
      throw corrupt_record("registry record has an unknown state");
    result.project_id = record.at("p").get<std::string>();
    for (const auto& copy : record.at("c"))
      result.copies.push_back(
        cloud_copy{copy.at(0).get<std::string>(), copy.at(1).get<std::string>()});
    const auto& created = record.at("t");
    if (!is_int64(created))
      throw corrupt_record("registry record has no integer creation time");
    result.created_unix_ms = created.get<std::int64_t>();
    if (auto deleted = record.find("d"); deleted != record.end()) {
      if (!is_int64(*deleted))
        throw corrupt_record("registry record has no integer deletion time");
      result.deleted_unix_ms = deleted->get<std::int64_t>();
    }
    result.name = record.at("n").get<std::string>();
    if (auto a = record.find("a"); a != record.end()) {
      reserved_attempt attempt{a->at("t").get<std::string>(), a->at("c").get<std::string>(),
                               a->at("d").get<std::string>()};
      if (!is_attempt_token(attempt.token))
        throw corrupt_record("registry record has a malformed attempt token");
      result.attempt = std::move(attempt);
    }
    return result;
  } catch (const json::exception& e) {
    throw corrupt_record(std::string{"malformed registry record: "} + e.what());
  }
}

std::string decode_project(std::string_view bytes) {
  auto record = parse_record(bytes);
  auto project = record.find("p");
  if (project == record.end() || !project->is_string())
    throw corrupt_record("registry record has no project");
  return project->get<std::string>();
}

std::optional<store_error> check_abandoned(const abandoned_attempt& attempt) {
  if (!is_attempt_token(attempt.token))
    return make_store_error(store_errc::invalid_argument, "attempt token must be 32 lowercase hex digits");
  if (!is_valid(attempt.kind))
    return make_store_error(store_errc::invalid_argument, "invalid resource kind");
  if (auto err = check_id("global_id", attempt.global_id))
    return err;
  if (auto err = check_id("project_id", attempt.project_id))
    return err;
  return check_id("cloudlet", attempt.cloudlet);
}

std::string encode_abandoned(const abandoned_attempt& attempt) {
  json record = {{"v", record_version},
                 {"k", to_string(attempt.kind)},
                 {"g", attempt.global_id},
                 {"p", attempt.project_id},
                 {"c", attempt.cloudlet},
                 {"t", attempt.abandoned_unix_ms}};
  std::string result;
  json::to_cbor(record, result);
  return result;
}

abandoned_attempt decode_abandoned(std::string_view token, std::string_view bytes) {
  auto record = parse_record(bytes);
  try {
    abandoned_attempt result;
    result.token = std::string{token};
    if (!from_string(record.at("k").get<std::string>(), result.kind))
      throw corrupt_record("abandoned record has an unknown kind");
    result.global_id = record.at("g").get<std::string>();
    result.project_id = record.at("p").get<std::string>();
    result.cloudlet = record.at("c").get<std::string>();
    const auto& at = record.at("t");
    if (!is_int64(at))
      throw corrupt_record("abandoned record has no integer time");
    result.abandoned_unix_ms = at.get<std::int64_t>();
    return result;
  } catch (const json::exception& e) {
    throw corrupt_record(std::string{"malformed abandoned record: "} + e.what());
  }
}

std::string encode_count(std::uint64_t value) {
  std::string result(8, '\0');
  for (std::size_t i = 0; i < 8; ++i)
    result[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return result;
}

std::uint64_t decode_count(std::string_view bytes) {
  if (bytes.size() != 8)
    throw corrupt_record("registry counter is not 8 bytes");
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < 8; ++i)
    result |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return result;
}

}  // namespace fedstack::storage
