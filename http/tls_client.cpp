#include "http/tls_client.hpp"

#include <memory>
#include <mutex>
#include <stdexcept>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace fedstack::http {
namespace {

std::unique_ptr<ssl::context> make_context(const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty())
    context->set_default_verify_paths(ec);
  else
    context->load_verify_file(ca_file, ec);
  if (ec)
    throw std::runtime_error(ca_file.empty() ? "cannot load the system's CA certificates: " + ec.message()
                                             : "cannot load CA file '" + ca_file + "': " + ec.message());
  return context;
}

std::mutex context_mutex;
std::unique_ptr<ssl::context> the_context;

} // namespace

void configure_upstream_tls(const std::string& ca_file) {
  auto context = make_context(ca_file);
  std::lock_guard lock{context_mutex};
  the_context = std::move(context);
}

ssl::context& upstream_tls_context() {
  std::lock_guard lock{context_mutex};
  if (!the_context) the_context = make_context({});
  return *the_context;
}

void expect_peer(void* ssl_handle, const std::string& host) {
  auto* ssl = static_cast<SSL*>(ssl_handle);
  auto* param = SSL_get0_param(ssl);
  boost::system::error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    return;
  }
  SSL_set_tlsext_host_name(ssl, host.c_str());
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
}

std::string describe_handshake_failure(void* ssl_handle, const boost::system::error_code& ec) {
  auto* ssl = static_cast<SSL*>(ssl_handle);
  auto verdict = SSL_get_verify_result(ssl);
  if (verdict != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verdict);
  return ec.message();
}

} // namespace fedstack::http
