#include "agent/operator_pages.hpp"

namespace fedstack::agent {

http::awaitable<void> serve_metrics(request& r) {
  co_await send_error(r, 404, "Not built yet.");
}

} // namespace fedstack::agent
