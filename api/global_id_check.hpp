#pragma once
// A global ID told from any other UUID without decoding its owner: the list
// scan asks this of every ID it meets (api/global_id.hpp has the rest).

#include <string_view>

namespace fedstack::api {

/// api::global_id_owner(id) has a value; no address is made.
bool is_global_id(std::string_view id);

} // namespace fedstack::api
