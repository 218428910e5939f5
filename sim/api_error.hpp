#pragma once
// A failed operation of the pure service logic; each API renders it in its own
// error shape (Keystone "error", Neutron "NeutronError", Nova "itemNotFound"...).

#include <string>
#include <utility>
#include <variant>

namespace fedstack::sim {

struct api_error {
  unsigned status = 400;
  std::string message;
  std::string type;   // Neutron's exception name, e.g. "NetworkNotFound"; optional elsewhere
};

inline api_error not_found(std::string message, std::string type = {}) {
  return {404, std::move(message), std::move(type)};
}
inline api_error bad_request(std::string message, std::string type = "BadRequest") {
  return {400, std::move(message), std::move(type)};
}
inline api_error conflict(std::string message, std::string type = {}) {
  return {409, std::move(message), std::move(type)};
}
inline api_error forbidden(std::string message, std::string type = "PolicyNotAuthorized") {
  return {403, std::move(message), std::move(type)};
}

/// A value or the reason it could not be produced.
template <class T>
using outcome = std::variant<T, api_error>;

template <class T>
bool failed(const outcome<T>& x) { return std::holds_alternative<api_error>(x); }
template <class T>
const api_error& error_of(const outcome<T>& x) { return std::get<api_error>(x); }

} // namespace fedstack::sim
