#pragma once
// Neutron's bulk creates (`POST /v2.0/ports` with `{"ports": [...]}`, likewise
// networks and subnets): one POST, every item recorded (bulk_create.cpp).

#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// True when a create's body is a bulk one: it holds the collection's plural key.
bool is_bulk_create(const nlohmann::json& doc, std::string_view collection);

/// Creates every item of `doc` (the client's body, global IDs) on the one
/// cloudlet of their networks, each recorded as its own resource, and answers
/// them under their global IDs.
http::awaitable<void> handle_bulk_create(request& r, storage::resource_kind kind, nlohmann::json& doc);

} // namespace fedstack::agent
