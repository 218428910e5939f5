#include "agent/bridges/actor_placement_client.hpp"

#include "agent/bridges/ask.hpp"

namespace fedstack::agent {
namespace {

class actor_placement_client final : public placement_client {
public:
  actor_placement_client(caf::actor_system& system, scheduler_actor scheduler, caf::timespan timeout)
    : system_(system), scheduler_(std::move(scheduler)), timeout_(timeout) {}

  http::awaitable<placement_decision> place(placement_request request) override {
    auto result = co_await ask<placement_decision>(system_, scheduler_, timeout_, atom::schedule_v,
                                                   std::move(request));
    if (!result) throw placement_unavailable(system_.render(result.error()));
    co_return std::move(*result);
  }

private:
  caf::actor_system& system_;
  scheduler_actor scheduler_;
  caf::timespan timeout_;
};

} // namespace

std::unique_ptr<placement_client> make_actor_placement_client(caf::actor_system& system,
                                                              scheduler_actor scheduler,
                                                              caf::timespan timeout) {
  return std::make_unique<actor_placement_client>(system, std::move(scheduler), timeout);
}

} // namespace fedstack::agent
