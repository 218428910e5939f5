// How long one pass over a cloud's list answer takes with each candidate
// (docs/decisions.md, "The list without a tree"): nlohmann::json's parse (the
// tree the list built before), simdjson 3.0's On Demand API and RapidJSON's
// SAX Reader visiting every string (what finding the IDs needs at least), and
// api::scan_list_page (validation, markers, UUIDs, sort keys: all the list needs).
//   bench_json_scan FILE COLLECTION [ROUNDS]   (FILE: a list answer, e.g. 1000 images)
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <rapidjson/reader.h>
#include <simdjson.h>

#include "api/list_scan.hpp"

namespace {

double per_call_us(int rounds, const std::function<std::size_t()>& run) {
  std::size_t sink = 0;
  for (int i = 0; i < rounds / 10 + 1; ++i) sink += run();   // warm-up
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) sink += run();
  std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  if (sink == 42) std::puts("");   // keeps the work
  return took.count() / rounds;
}

std::size_t visit(simdjson::ondemand::value value) {
  std::size_t n = 0;
  switch (value.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : value.get_object()) {
        n += field.unescaped_key().value().size() >= 36;
        n += visit(field.value());
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto element : value.get_array()) n += visit(element.value());
      break;
    case simdjson::ondemand::json_type::string: n += value.get_string().value().size() >= 36; break;
    default: value.raw_json_token(); break;
  }
  return n;
}

struct counter : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, counter> {
  std::size_t n = 0;
  bool String(const char*, rapidjson::SizeType length, bool) { n += length >= 36; return true; }
  bool Key(const char*, rapidjson::SizeType length, bool) { n += length >= 36; return true; }
  bool Default() { return true; }
};

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  const std::string body = text.str();
  const std::string collection = argv[2];
  int rounds = argc > 3 ? std::atoi(argv[3]) : 200;
  std::printf("%zu bytes, %d rounds, µs per pass:\n", body.size(), rounds);
  std::printf("nlohmann parse        %9.1f\n", per_call_us(rounds, [&] {
    return nlohmann::json::parse(body)[collection].size();
  }));
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  std::printf("simdjson on demand    %9.1f\n", per_call_us(rounds, [&] {
    auto doc = parser.iterate(padded);
    return visit(doc.get_value().value());
  }));
  std::printf("rapidjson SAX         %9.1f\n", per_call_us(rounds, [&] {
    rapidjson::Reader reader;
    rapidjson::StringStream stream(body.c_str());
    counter handler;
    reader.Parse<rapidjson::kParseValidateEncodingFlag>(stream, handler);
    return handler.n;
  }));
  fedstack::api::scan_options options;
  options.from_root = "http://127.0.0.1:9292";
  options.wanted = {"created_at", "id", "owner", "name", "links"};
  fedstack::api::list_scan scan;
  std::printf("api::scan_list_page   %9.1f\n", per_call_us(rounds, [&] {
    fedstack::api::scan_list_page(body, collection, options, scan);
    return scan.items.size();
  }));
}
