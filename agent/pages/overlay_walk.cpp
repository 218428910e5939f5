#include "agent/pages/overlay_walk.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/bridges/ask.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/fan_out.hpp"

namespace fedstack::agent {
namespace {

/// What one node said; written by its task only.
struct node_answer {
  std::optional<peer_entry> info;
  std::optional<std::vector<peer_entry>> members;
  std::string error;
};

/// One node's questions. Arguments are copies of the task's named captures (a
/// task can outlive the walk's batch when it misses the batch's time).
http::awaitable<void> ask_node(std::shared_ptr<const actor_handles> actors, peer_address at,
                               caf::timespan timeout, std::shared_ptr<node_answer> out) {
  auto& system = actors->system;
  std::optional<std::string> thrown;
  try {
    node_actor node;
    if (at == actors->self.address) {
      node = actors->node;
    } else {
      auto handle = co_await ask<node_actor>(system, actors->connector, timeout, caf::connect_atom_v, at);
      if (!handle) {
        out->error = "cannot connect: " + system.render(handle.error());
        co_return;
      }
      node = std::move(*handle);
    }
    auto info = co_await ask<peer_entry>(system, node, timeout, atom::info_v);
    if (!info) {
      out->error = "info: " + system.render(info.error());
      co_return;
    }
    auto members = co_await ask<std::vector<peer_entry>>(system, node, timeout, atom::members_v);
    if (!members) {
      out->error = "members: " + system.render(members.error());
      co_return;
    }
    out->info = std::move(*info);
    out->members = std::move(*members);
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (thrown) out->error = *thrown;
}

} // namespace

http::awaitable<overlay_graph> walk_overlay(const std::shared_ptr<const actor_handles>& handles,
                                            const overlay_walk_limits& limits) {
  auto actors = handles;
  auto bounds = limits;
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + bounds.deadline;
  overlay_walk walk{actors->self.address, bounds.max_nodes};
  while (!walk.finished()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left <= std::chrono::milliseconds{0}) {
      walk.stop("its deadline (" + std::to_string(bounds.deadline.count()) + " ms)");
      break;
    }
    auto budget = std::min(bounds.per_node, left);
    auto batch = walk.next(std::max<std::size_t>(bounds.parallel, 1));
    std::vector<std::shared_ptr<node_answer>> answers;
    std::vector<std::function<http::awaitable<void>()>> tasks;
    for (const auto& at : batch) {
      auto answer = std::make_shared<node_answer>();
      answers.push_back(answer);
      caf::timespan timeout{budget};
      tasks.push_back([actors, at, timeout, answer]() { return ask_node(actors, at, timeout, answer); });
    }
    auto done = co_await run_all(std::move(tasks), budget);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& answer = *answers[i];
      if (done[i] && answer.members)
        walk.reached(batch[i], *answer.info, *answer.members);
      else
        walk.failed(batch[i], done[i] ? answer.error
                                      : "no answer within " + std::to_string(budget.count()) + " ms");
    }
  }
  co_return walk.finish();
}

} // namespace fedstack::agent
