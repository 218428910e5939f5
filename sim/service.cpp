#include "sim/service.hpp"

namespace fedstack::sim {

std::optional<std::vector<std::string>> match(const request& r,
                                              std::initializer_list<std::string_view> pattern) {
  if (r.segments.size() != pattern.size()) return std::nullopt;
  std::vector<std::string> captures;
  auto segment = r.segments.begin();
  for (auto expected : pattern) {
    if (expected == "*") {
      captures.push_back(*segment);
    } else if (*segment != expected) {
      return std::nullopt;
    }
    ++segment;
  }
  return captures;
}

std::string_view fault_name(unsigned status) {
  switch (status) {
  case 400: return "badRequest";
  case 401: return "unauthorized";
  case 403: return "forbidden";
  case 404: return "itemNotFound";
  case 405: return "badMethod";
  case 409: return "conflictingRequest";
  case 413: return "overLimit";
  case 415: return "badMediaType";
  case 429: return "overLimit";   // Nova only; Cinder never answers 429
  case 501: return "notImplemented";
  case 503: return "serviceUnavailable";
  default: return "computeFault";
  }
}

reply json_reply(unsigned status, const json& body) {
  reply out;
  out.status = status;
  out.headers["Content-Type"] = "application/json";
  out.body = body.dump();
  return out;
}

reply empty_reply(unsigned status) {
  reply out;
  out.status = status;
  return out;
}

std::optional<json> parse_json(const request& r) {
  auto parsed = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

std::string_view status_title(unsigned status) {
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 406: return "Not Acceptable";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 413: return "Request Entity Too Large";
  case 415: return "Unsupported Media Type";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  default: return "Error";
  }
}

reply keystone_error(unsigned status, std::string_view message) {
  return json_reply(status, {{"error",
                              {{"code", status},
                               {"title", status_title(status)},
                               {"message", message}}}});
}

reply unauthorized_reply(const identity& ids) {
  auto out = keystone_error(401, "The request you have made requires authentication.");
  out.headers["WWW-Authenticate"] = "Keystone uri=\"" + ids.keystone_url() + "\"";
  return out;
}

std::optional<auth_context> authenticate(const identity& ids, const request& r) {
  auto token = r.header("X-Auth-Token");
  if (token.empty()) return std::nullopt;
  auto ctx = ids.validate(token);
  if (!ctx || !ctx->scoped()) return std::nullopt;
  return ctx;
}

} // namespace fedstack::sim
