#pragma once
// One iteration of "create an image and boot a server", the steps of Rally's
// GlanceImages.create_image_and_boot_instances with one instance: a token,
// create + wait queued + upload + wait active, boot + wait ACTIVE, then clean up (delete the
// server, wait until it is gone, delete the image).

#include <chrono>
#include <optional>
#include <string>

#include "bench/thesis/http_session.hpp"

namespace fedstack::bench {

struct scenario_options {
  std::string user = "admin", password = "secret", project = "admin", domain = "Default";
  std::string flavor = "m1.tiny";   // a name or an ID: clouds number their flavors differently
  std::size_t image_bytes = 0;   // the thesis booted an empty image file
  std::chrono::milliseconds poll{100};
  std::chrono::milliseconds image_timeout{120'000};   // Rally: glance_image_create_timeout
  std::chrono::milliseconds boot_timeout{300'000};    // Rally: nova_server_boot_timeout
  std::chrono::milliseconds delete_timeout{300'000};  // Rally: nova_server_delete_timeout
};

/// Seconds spent in each part; `failure` says why an iteration did not complete.
struct iteration_result {
  double auth = 0, create_image = 0, boot = 0, cleanup = 0, duration = 0;
  std::string failure;
  std::string zone;   // the server's availability zone: its cloudlet, through an agent
  bool ok() const { return failure.empty(); }
  /// The thesis' "Total": creating the image plus booting the server.
  double total() const { return create_image + boot; }
};

/// Keystone v3 password authentication scoped to a project, as a request body.
std::string password_auth_body(const std::string& user, const std::string& password, const std::string& project,
                               const std::string& domain);

/// One simulated user bound to one auth URL (an agent's /v3, or a Keystone's).
class scenario_client {
public:
  scenario_client(http::asio::any_io_executor ex, std::string auth_url, const scenario_options& options,
                  std::chrono::milliseconds request_timeout);

  http::awaitable<iteration_result> iterate(const std::string& name);   // by const&: GCC 12 (decisions.md)
  int connects() const { return http_.connects(); }

private:
  http::awaitable<std::optional<std::string>> authenticate(iteration_result& out);
  http::awaitable<void> pause(std::chrono::milliseconds how_long);
  /// The ID of options_.flavor where this client boots; "" when its cloud has none.
  http::awaitable<std::string> resolve_flavor(const std::string& token);

  http::asio::any_io_executor executor_;
  std::string auth_url_;
  const scenario_options& options_;
  http_session http_;
  std::string image_url_, compute_url_;   // from the first token's catalog
  std::string flavor_id_;                 // resolved once, as Rally does before its iterations
};

} // namespace fedstack::bench
