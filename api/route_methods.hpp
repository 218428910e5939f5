#pragma once
// Internal to route.cpp: which HTTP methods each OpenStack resource supports.

#include "api/route.hpp"

#include <string>

namespace fedstack::api::detail {

/// The `Allow` value for an API route whose service, version, resource, id, action and
/// segments are already filled in. Resources the agent does not model allow every method
/// that OpenStack APIs use (GET, HEAD, POST, PUT, PATCH, DELETE): the cloud decides.
std::string allowed_methods(const route& r);

/// True if `method` is listed in `allow` (exact, case-sensitive as HTTP methods are).
bool method_in(std::string_view method, std::string_view allow);

} // namespace fedstack::api::detail
