#include "sim/http_bridge.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>

#include "sim/faults.hpp"
#include "sim/glance.hpp"

// GCC 12 at -O2 inlines Asio's coroutine-frame allocation (its recycling
// allocator, which falls back to ::operator new) next to the frame's own
// operator delete and then reports a bogus -Wmismatched-new-delete.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace fedstack::sim {
namespace {

using http::awaitable;
namespace asio = http::asio;
namespace bhttp = http::bhttp;

using namespace std::chrono_literals;

constexpr std::size_t json_body_limit = 16 << 20;
constexpr std::size_t download_chunk = 256 << 10;

request to_request(const bhttp::request_header<>& header) {
  auto r = make_request(std::string{header.method_string()}, header.target());
  for (const auto& field : header) {
    auto name = std::string{field.name_string()};
    auto [it, fresh] = r.headers.emplace(name, std::string{field.value()});
    if (!fresh) it->second += ", " + std::string{field.value()};
  }
  return r;
}

bhttp::response_header<> to_header(const reply& out) {
  bhttp::response_header<> header;
  header.result(out.status);
  header.version(11);
  for (const auto& [name, value] : out.headers) header.set(name, value);
  return header;
}

bhttp::response<bhttp::string_body> to_response(reply out, bool head) {
  bhttp::response<bhttp::string_body> response{to_header(out)};
  if (!head) response.body() = std::move(out.body);
  return response;
}

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// Streams an upload into Glance; the reply to send afterwards.
awaitable<reply> upload(http::exchange& ex, glance_api& glance, const request& r) {
  auto begun = glance.begin_upload(r);
  if (auto* refused = std::get_if<reply>(&begun)) co_return std::move(*refused);
  auto& ticket = std::get<glance_api::upload_ticket>(begun);
  std::string failure;
  try {
    for (;;) {
      auto piece = co_await ex.read_some();
      if (piece.empty()) break;
      ticket.upload->write(piece);
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    glance.abort_upload(ticket);
    co_return glance_api::error(500, "Error in store configuration. Adding images to store is disabled. (" +
                                       failure + ")");
  }
  co_return glance.finish_upload(ticket);
}

/// Streams a download from Glance; nullopt once the response has been sent.
awaitable<std::optional<reply>> download(http::exchange& ex, glance_api& glance, const request& r,
                                         const std::string& request_id) {
  auto begun = glance.begin_download(r);
  if (auto* early = std::get_if<reply>(&begun)) co_return std::move(*early);
  auto& ticket = std::get<glance_api::download_ticket>(begun);
  std::unique_ptr<std::FILE, file_closer> in{std::fopen(ticket.file.c_str(), "rb")};
  if (!in) co_return glance_api::error(500, "Image data could not be read.");
  ticket.header.headers["X-Openstack-Request-Id"] = request_id;
  co_await ex.send_header(to_header(ticket.header));
  std::string buffer(download_chunk, '\0');
  for (;;) {
    auto n = std::fread(buffer.data(), 1, buffer.size(), in.get());
    if (n == 0) break;
    co_await ex.send_some(std::string_view{buffer.data(), n});
  }
  co_await ex.finish();
  co_return std::nullopt;
}

/// Holds one of the cloudlet's request slots for the lifetime of a request.
struct fault_slot {
  fault_state* state = nullptr;
  fault_state* held = nullptr;   // set when the request arrived while the cloudlet was down
  ~fault_slot() {
    if (state) state->leave();
    if (held) held->release();
  }
};

/// Waits out the cloudlet's faults; a 503 reply when the request is to fail.
awaitable<std::optional<reply>> apply_faults(fault_state& faults, fault_slot& slot, const service& svc) {
  asio::steady_timer timer{co_await asio::this_coro::executor};
  // A cloudlet that is down holds requests unanswered; clients time out.
  if (faults.plan().down) {
    faults.hold();
    slot.held = &faults;
  }
  while (faults.plan().down) {
    timer.expires_after(50ms);
    co_await timer.async_wait(http::use_awaitable);
  }
  // An overloaded controller: requests beyond the cap wait for a free slot.
  while (!faults.try_enter(faults.plan().max_concurrent)) {
    timer.expires_after(2ms);
    co_await timer.async_wait(http::use_awaitable);
  }
  slot.state = &faults;
  auto plan = faults.plan();
  if (plan.latency.count() > 0) {
    timer.expires_after(plan.latency);
    co_await timer.async_wait(http::use_awaitable);
  }
  co_return unavailable_error(plan, svc);
}

awaitable<void> serve(http::exchange& ex, service& svc, const std::string& label, const bridge_options& options) {
  auto started = std::chrono::steady_clock::now();
  auto r = to_request(ex.request());
  // Echo the caller's request ID when it sent one, so a trace can follow it.
  auto request_id = r.header("X-Openstack-Request-Id");
  if (request_id.empty()) request_id = new_request_id();
  r.headers["X-Openstack-Request-Id"] = request_id;
  auto* glance = options.glance;

  std::optional<reply> out;
  std::string failure;
  unsigned failure_status = 500;
  fault_slot slot;
  try {
    if (options.faults) out = co_await apply_faults(*options.faults, slot, svc);
    if (out) {
      // answered by an injected fault
    } else if (glance && glance_api::is_upload(r)) {
      out = co_await upload(ex, *glance, r);
    } else if (glance && glance_api::is_download(r)) {
      out = co_await download(ex, *glance, r, request_id);
      if (!out) {
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        spdlog::info("{} {} {} {} 200 {:.1f}ms", request_id, label, r.method, r.path, ms);
        co_return;
      }
    } else {
      auto body = co_await ex.read_body(json_body_limit);
      if (!body) {
        out = svc.error_reply(413, "Request body is larger than the simulator accepts.");
      } else {
        r.body = std::move(*body);
        if (options.faults) {
          if (auto hold = hold_before(options.faults->plan(), svc, r); hold.count() > 0) {
            asio::steady_timer held{co_await asio::this_coro::executor};
            held.expires_after(hold);
            co_await held.async_wait(http::use_awaitable);
          }
          out = create_error(options.faults->plan(), svc, r);
        }
        if (!out) {
          out = options.control && faults_api::owns(r) ? options.control->handle(r) : svc.handle(r);
          if (options.faults) {
            if (auto lost = lost_answer(options.faults->plan(), svc, r, *out)) out = std::move(lost);
            if (auto delay = answer_delay(options.faults->plan(), svc, r); delay.count() > 0) {
              asio::steady_timer late{co_await asio::this_coro::executor};
              late.expires_after(delay);
              co_await late.async_wait(http::use_awaitable);
            }
          }
        }
      }
    }
  } catch (const nlohmann::json::exception& e) {
    failure = std::string{"Invalid request body: "} + e.what();
    failure_status = 400;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    // A broken connection cannot be answered; the server closes it.
    if (ex.responded()) co_return;
    out = svc.error_reply(failure_status, failure);
  }
  out->headers["X-Openstack-Request-Id"] = request_id;
  auto status = out->status;
  co_await ex.send(to_response(std::move(*out), r.method == "HEAD"));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{} {} {} {} {} {:.1f}ms", request_id, label, r.method, r.path, status, ms);
}

} // namespace

http::handler make_http_handler(service& svc, std::string label, bridge_options options) {
  return [&svc, label = std::move(label), options](http::exchange& ex) -> awaitable<void> {
    return serve(ex, svc, label, options);
  };
}

} // namespace fedstack::sim
