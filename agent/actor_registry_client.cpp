#include "agent/actor_registry_client.hpp"

#include "agent/ask.hpp"

namespace fedstack::agent {
namespace {

class actor_registry_client final : public registry_client {
public:
  actor_registry_client(caf::actor_system& system, registry_actor registry, caf::timespan timeout)
    : system_(system), registry_(std::move(registry)), timeout_(timeout) {}

  http::awaitable<std::optional<storage::registry_entry>> get(std::string project,
                                                               std::string global_id) override {
    auto result = co_await ask<storage::registry_entry>(system_, registry_, timeout_, atom::get_v,
                                                        std::move(project), std::move(global_id));
    if (result) co_return std::move(*result);
    // Not found and malformed IDs are ordinary answers; anything else is an outage.
    if (result.error() == ec::not_found || result.error() == ec::invalid_argument)
      co_return std::nullopt;
    throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<std::vector<storage::id_mapping>>
  to_global(std::string project, std::string cloudlet, std::vector<std::string> local_ids) override {
    auto result = co_await ask<std::vector<storage::id_mapping>>(
      system_, registry_, timeout_, atom::resolve_v, std::move(project), std::move(cloudlet),
      std::move(local_ids));
    if (!result) throw registry_unavailable(system_.render(result.error()));
    co_return std::move(*result);
  }

  http::awaitable<void> put(storage::registry_entry entry) override {
    auto result = co_await ask<atom::ok>(system_, registry_, timeout_, atom::put_v, std::move(entry));
    if (!result) throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<bool> erase(std::string project, std::string global_id) override {
    auto result = co_await ask<bool>(system_, registry_, timeout_, atom::erase_v, std::move(project),
                                     std::move(global_id));
    if (!result) throw registry_unavailable(system_.render(result.error()));
    co_return *result;
  }

private:
  caf::actor_system& system_;
  registry_actor registry_;
  caf::timespan timeout_;
};

} // namespace

std::unique_ptr<registry_client> make_actor_registry_client(caf::actor_system& system,
                                                            registry_actor registry,
                                                            caf::timespan timeout) {
  return std::make_unique<actor_registry_client>(system, std::move(registry), timeout);
}

} // namespace fedstack::agent
