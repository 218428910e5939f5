#pragma once
// What an agent serves for operators beside the OpenStack APIs, without a
// token: /metrics (Prometheus text) and /fedstack/ (the status page).
// Neither shows a token, password or project's resource.

#include <string_view>

#include "agent/flows/request.hpp"
#include "agent/flows/proxy.hpp"

namespace fedstack::agent {

http::awaitable<void> serve_operator_page(request& r);

/// One per page (metrics_page.cpp, status_page.cpp).
http::awaitable<void> serve_metrics(request& r);
http::awaitable<void> serve_status_page(request& r);

} // namespace fedstack::agent
