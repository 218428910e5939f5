#include "actors/error.hpp"

namespace fedstack {

std::string to_string(ec x) {
  switch (x) {
    case ec::no_error:
      return "no_error";
    case ec::not_found:
      return "not_found";
    case ec::duplicate_id:
      return "duplicate_id";
    case ec::wrong_project:
      return "wrong_project";
    case ec::invalid_argument:
      return "invalid_argument";
    case ec::storage_failure:
      return "storage_failure";
    case ec::peer_unreachable:
      return "peer_unreachable";
    case ec::peer_not_allowed:
      return "peer_not_allowed";
    case ec::not_authorized:
      return "not_authorized";
  }
  return "unknown_error(" + std::to_string(static_cast<int>(x)) + ")";
}

}  // namespace fedstack
