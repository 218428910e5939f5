#pragma once
// Rally's users context with one tenant and one user (the thesis' setting): a
// project and a user with the member role in it, made with an admin's token
// through one auth URL (an agent's /v3 passes them to Keystone), removed at the end.

#include <string>

#include "bench/thesis/http_session.hpp"
#include "bench/thesis/scenario.hpp"

namespace fedstack::bench {

struct credentials {
  std::string user, password, project, domain = "Default";
};

class tenant {
public:
  tenant(http::asio::any_io_executor ex, std::string auth_url, credentials admin);

  /// Makes the project and the user; points `scenario`'s credentials at them.
  http::awaitable<void> create(scenario_options& scenario);
  /// Deletes what create() made.
  http::awaitable<void> remove();

private:
  http::awaitable<std::string> call(http::bhttp::verb method, std::string url, std::string body, unsigned status);

  std::string auth_url_;
  credentials admin_;
  http_session http_;
  std::string token_, project_id_, user_id_;
};

} // namespace fedstack::bench
