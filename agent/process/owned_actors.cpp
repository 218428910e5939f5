#include "agent/process/owned_actors.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

namespace fedstack::agent {

stop_result stop_actors(caf::actor_system& system, const std::vector<caf::actor>& actors,
                        std::chrono::milliseconds grace) {
  auto started = std::chrono::steady_clock::now();
  std::size_t down = 0;
  bool late = false;
  {
    caf::scoped_actor self{system};
    for (const auto& actor : actors) {
      self->monitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
    }
    self->receive_while([&] { return down < actors.size() && !late; })(
      [&](const caf::down_msg&) { ++down; }, caf::after(grace) >> [&] { late = true; });
  }
  return {actors.size(), actors.size() - down,
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)};
}

owned_actors::owned_actors(owned_actors&& other) noexcept
  : system_(other.system_), actors_(std::move(other.actors_)) {
  other.actors_.clear();
}

owned_actors::~owned_actors() {
  if (actors_.empty()) return;
  auto result = stop_actors(*system_, stop_order());
  if (result.still_running > 0)
    spdlog::warn("{} of {} actors still running {} ms after the stop", result.still_running, result.actors,
                 actor_stop_grace.count());
  else
    spdlog::debug("{} actors stopped in {} ms", result.actors, result.took.count());
}

bool stop_together(caf::actor_system& system, std::initializer_list<owned_actors*> groups) {
  std::vector<caf::actor> all;
  for (auto* group : groups) {
    auto order = group->stop_order();
    all.insert(all.end(), order.begin(), order.end());
    group->release();
  }
  auto result = stop_actors(system, all);
  if (result.still_running > 0)
    spdlog::warn("{} of {} actors still running {} ms after the stop; exiting anyway", result.still_running,
                 result.actors, actor_stop_grace.count());
  else
    spdlog::info("actors stopped in {} ms", result.took.count());
  return result.still_running == 0;
}

} // namespace fedstack::agent
