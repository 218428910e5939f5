#include "actors/register_types.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/actors.hpp"

namespace fedstack {

namespace {

// CAF 0.17.6's add_error_category<T>(atom) does not compile (its lambda
// lacks the atom_value parameter of error_renderer), so we render ourselves:
// "fedstack: not_found (global ID g1 not found)".
std::string render_error(std::uint8_t code, caf::atom_value, const caf::message& context) {
  auto result = "fedstack: " + to_string(static_cast<ec>(code));
  if (context.empty())
    return result;
  result += " (";
  if (context.match_elements<std::string>())
    result += context.get_as<std::string>(0);
  else
    result += caf::to_string(context);
  result += ')';
  return result;
}

}  // namespace

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::fedstack_types>();
  cfg.add_message_types<caf::id_block::fedstack_actors>();
  cfg.add_error_category(caf::atom("fedstack"), render_error);
}

}  // namespace fedstack
