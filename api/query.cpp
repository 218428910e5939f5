#include "api/query.hpp"

#include "api/percent.hpp"

#include <algorithm>

namespace fedstack::api {
namespace {

// Lenient decoding for values: a bad escape stays as written instead of failing the request
// here; route classification already rejects malformed escapes before queries are parsed.
std::string decode_lenient(std::string_view text) {
  if (auto decoded = percent_decode(text, true)) return *decoded;
  return std::string(text);
}

} // namespace

query_string query_string::parse(std::string_view raw) {
  query_string result;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    auto piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    query_param param;
    param.key = decode_lenient(piece.substr(0, eq));
    param.has_value = eq != std::string_view::npos;
    if (param.has_value) param.value = decode_lenient(piece.substr(eq + 1));
    result.params_.push_back(std::move(param));
  }
  return result;
}

std::string query_string::encode() const {
  std::string out;
  for (const auto& param : params_) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(param.key);
    if (param.has_value) {
      out.push_back('=');
      out += percent_encode(param.value);
    }
  }
  return out;
}

std::optional<std::string> query_string::get(std::string_view key) const {
  for (const auto& param : params_)
    if (param.key == key) return param.value;
  return std::nullopt;
}

std::vector<std::string> query_string::get_all(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& param : params_)
    if (param.key == key) values.push_back(param.value);
  return values;
}

bool query_string::has(std::string_view key) const {
  return std::any_of(params_.begin(), params_.end(),
                     [&](const query_param& param) { return param.key == key; });
}

void query_string::add(std::string key, std::string value) {
  params_.push_back(query_param{std::move(key), std::move(value), true});
}

void query_string::set(std::string_view key, std::string value) {
  auto first = std::find_if(params_.begin(), params_.end(),
                            [&](const query_param& param) { return param.key == key; });
  if (first == params_.end()) {
    add(std::string(key), std::move(value));
    return;
  }
  first->value = std::move(value);
  first->has_value = true;
  // Later repeats would contradict the value just set.
  params_.erase(std::remove_if(first + 1, params_.end(),
                               [&](const query_param& param) { return param.key == key; }),
                params_.end());
}

std::size_t query_string::remove(std::string_view key) {
  auto before = params_.size();
  params_.erase(std::remove_if(params_.begin(), params_.end(),
                               [&](const query_param& param) { return param.key == key; }),
                params_.end());
  return before - params_.size();
}

limit_value query_string::limit() const {
  limit_value result;
  auto raw = get("limit");
  if (!raw) return result;
  result.present = true;
  // Nova and Neutron answer 400 to a negative or non-numeric limit; so do we.
  if (raw->empty() || raw->size() > 19 ||
      !std::all_of(raw->begin(), raw->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    result.valid = false;
    return result;
  }
  result.value = std::stoull(*raw);
  return result;
}

void query_string::set_limit(std::uint64_t value) { set("limit", std::to_string(value)); }

} // namespace fedstack::api
