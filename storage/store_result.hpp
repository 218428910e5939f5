#pragma once

// The registry store reports expected failures as values, never as
// exceptions; the registry actor maps them onto fedstack::ec.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace fedstack::storage {

/// Expected failures of registry_store operations.
enum class store_errc : std::uint8_t {
  /// No such entry (or it belongs to another project).
  not_found = 1,
  /// The global ID exists with another kind, a cloud-local ID is bound to
  /// another global ID, or a cloudlet already holds a copy.
  duplicate_id,
  /// The global ID exists under another project.
  wrong_project,
  /// Empty, oversized or NUL-containing IDs, invalid enum values.
  invalid_argument,
};

const char* to_string(store_errc x);

/// An expected failure with a human-readable context.
struct store_error {
  store_errc code;
  std::string message;
};

inline store_error make_store_error(store_errc code, std::string message) {
  return store_error{code, std::move(message)};
}

/// Either a T or a store_error.
template <class T>
class store_result {
 public:
  store_result(T value) : value_(std::in_place_index<0>, std::move(value)) {
  }
  store_result(store_error error) : value_(std::in_place_index<1>, std::move(error)) {
  }

  bool ok() const noexcept { return value_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// Precondition: ok(). Throws std::bad_variant_access otherwise.
  T& value() & { return std::get<0>(value_); }
  const T& value() const& { return std::get<0>(value_); }
  T&& value() && { return std::get<0>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !ok().
  const store_error& error() const { return std::get<1>(value_); }

 private:
  std::variant<T, store_error> value_;
};

/// Success or a store_error.
template <>
class store_result<void> {
 public:
  store_result() = default;
  store_result(store_error error) : error_(std::move(error)) {
  }

  bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }

  /// Precondition: !ok().
  const store_error& error() const { return *error_; }

 private:
  std::optional<store_error> error_;
};

using store_status = store_result<void>;

}  // namespace fedstack::storage
