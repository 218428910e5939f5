#include "agent/rules/id_free_answer.hpp"

namespace fedstack::agent {

bool answer_names_no_resource(const api::route& route) {
  if (route.kind != api::route_kind::api) return false;
  if (route.service == api::service_type::image) return route.api_version == "v2" && route.resource == "schemas";
  if (route.service == api::service_type::network) return route.resource == "extensions";
  return false;
}

} // namespace fedstack::agent
