#include "api/service.hpp"

namespace fedstack::api {

std::string_view to_string(service_type s) noexcept {
  switch (s) {
    case service_type::identity: return "identity";
    case service_type::image: return "image";
    case service_type::network: return "network";
    case service_type::compute: return "compute";
    case service_type::volume: return "volumev3";
    case service_type::none: break;
  }
  return "";
}

std::optional<service_type> service_from_string(std::string_view type) noexcept {
  if (type == "block-storage") return service_type::volume;
  for (auto s : {service_type::identity, service_type::image, service_type::network,
                 service_type::compute, service_type::volume})
    if (to_string(s) == type)
      return s;
  return std::nullopt;
}

} // namespace fedstack::api
