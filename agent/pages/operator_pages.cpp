#include "agent/pages/operator_pages.hpp"

namespace fedstack::agent {
namespace {

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

} // namespace

http::awaitable<void> serve_operator_page(request& r) {
  auto method = r.header().method();
  if (method != bhttp::verb::get && method != bhttp::verb::head) {
    bhttp::fields headers;
    headers.set(bhttp::field::allow, "GET, HEAD");
    co_return co_await send_error(r, 405, "The method is not allowed for this resource.", &headers);
  }
  if (path_of(r.header().target()) == "/metrics") co_return co_await serve_metrics(r);
  co_await serve_status_page(r);
}

} // namespace fedstack::agent
