#include "tests/agent/flows/flow_harness.hpp"

#include <exception>

#include "agent/flows/proxy.hpp"
#include "agent/flows/request.hpp"
#include "agent/services/cloudlets.hpp"

namespace fedstack::agent::testing {

flow_harness::flow_harness(fake_clouds_options options) {
  auto clouds = std::make_unique<fake_clouds>(options);
  auto registry = std::make_unique<fake_registry>();
  auto placement = std::make_unique<fake_placement>();
  clouds_ = clouds.get();
  registry_ = registry.get();
  placement_ = placement.get();

  auto& c = context_;
  c.options.region = fake_clouds::region(0);
  c.options.node_address = "10.0.0.1";
  c.options.upstream_timeout_ms = 1'000;
  c.options.list_deadline_ms = 1'000;
  c.base_url = "http://agent.test:8080";
  c.keystone = clouds->keystone();
  c.cloudlet = clouds->endpoints(c.options.region);
  c.cloudlets = clouds->all_endpoints();
  c.tokens = std::make_unique<token_cache>(1000, std::chrono::seconds{30});
  c.refused = std::make_unique<refused_tokens>(1000, std::chrono::milliseconds{5000});
  c.upstream = std::move(clouds);
  c.registry = std::move(registry);
  c.placement = std::move(placement);

  admin_token_ = clouds_->admin_token();
  demo_token_ = clouds_->demo_token();
  c.tokens->insert(admin_token_, clouds_->identity_of(admin_token_));
  c.tokens->insert(demo_token_, clouds_->identity_of(demo_token_));
}

void flow_harness::run(std::function<http::awaitable<void>()> body) {
  http::asio::io_context io;
  std::exception_ptr failure;
  bool done = false;
  http::asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  io.run();
  if (!done) throw std::logic_error("the flow did not finish");
  if (failure) std::rethrow_exception(failure);
}

captured_response flow_harness::send(bhttp::verb method, const std::string& target, const nlohmann::json& body,
                                     const std::string& token, const bhttp::fields& headers) {
  bhttp::request_header<> header;
  header.method(method);
  header.target(target);
  header.version(11);
  header.set(bhttp::field::host, "agent.test:8080");
  header.set("X-Auth-Token", token.empty() ? demo_token_ : token);
  header.set(bhttp::field::accept, "application/json");
  for (const auto& field : headers) header.set(field.name_string(), field.value());
  std::string text = body.is_null() ? std::string{} : body.dump();
  if (!text.empty()) {
    if (header.find(bhttp::field::content_type) == header.end())
      header.set(bhttp::field::content_type, "application/json");
    header.set(bhttp::field::content_length, std::to_string(text.size()));
  }
  fake_exchange exchange{std::move(header), std::move(text)};
  auto handler = make_proxy_handler(context_, [](request& r) -> http::awaitable<void> {
    co_await send_error(r, 404, "No operator pages in this test.");
  });
  run([&]() { return handler(exchange); });
  if (!exchange.responded()) throw std::logic_error("the agent sent no answer");
  return exchange.response();
}

storage::registry_entry flow_harness::record(storage::resource_kind kind, const std::string& project,
                                             std::vector<storage::cloud_copy> copies, const std::string& name) {
  storage::registry_entry entry;
  entry.kind = kind;
  entry.global_id = registry_->new_global_id();
  entry.project_id = project;
  entry.state = storage::entry_state::bound;
  entry.copies = std::move(copies);
  entry.created_unix_ms = now_unix_ms();
  entry.name = name;
  registry_->seed(entry);
  return entry;
}

} // namespace fedstack::agent::testing
