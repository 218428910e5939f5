#pragma once
// The bridge from Asio coroutines to CAF actors: `co_await ask<R>(sys, actor, timeout, args...)`.
// Each call spawns a short-lived actor that makes the request; its answer (or error,
// e.g. sec::request_timeout) is posted back to the awaiting coroutine's executor.
// An io thread therefore never blocks on an actor, and an actor never touches a socket.

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

#include "http/asio.hpp"

namespace fedstack::agent {

template <class Result, class Handle, class... Args>
http::awaitable<caf::expected<Result>> ask(caf::actor_system& system, Handle destination,
                                           caf::timespan timeout, const Args&... args) {
  // Arguments by reference: GCC 12 destroys by-value class parameters of a
  // coroutine twice when they hold a struct of strings (seen with cloud_copy);
  // the lambda below copies them before the first suspension.
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  auto initiate = [&system, destination, timeout, executor,
                   args...](auto handler) mutable {
    // Tracked work: the io_context must not run dry while CAF owes us an answer.
    auto work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
    // CAF wants copyable callbacks; the completion handler is move-only.
    auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
    auto complete = [shared_handler, work](caf::expected<Result> result) {
      asio::post(work, [shared_handler, result = std::move(result)]() mutable {
        (*shared_handler)(std::move(result));
      });
    };
    system.spawn([destination, timeout, complete, args...](caf::event_based_actor* self) {
      self->request(destination, timeout, args...)
        .then([complete](Result& result) { complete(std::move(result)); },
              [complete](caf::error& error) { complete(std::move(error)); });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(caf::expected<Result>)>(std::move(initiate),
                                                                       asio::use_awaitable);
}

} // namespace fedstack::agent
