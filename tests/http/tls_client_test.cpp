// https upstreams (http/tls_client.hpp, http/upstream_stream.hpp): a certificate
// from the configured CA naming the host is accepted; one from another CA, or for
// another host name, is refused with an error that says why. The certificates are
// made for each run by the openssl command, in a throwaway directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "http/client.hpp"
#include "http/tls_client.hpp"
#include "run_until_done.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

void run_openssl(const std::string& args) {
  auto command = "openssl " + args + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

/// A CA, and certificates it signs, in `dir`.
struct throwaway_pki {
  fs::path dir;
  explicit throwaway_pki(fs::path d) : dir(std::move(d)) { fs::create_directories(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }

  void make_ca(const std::string& name) {
    run_openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + name +
                " -keyout " + path(name + ".key") + " -out " + path(name + ".pem"));
  }
  /// A server certificate `name`.pem/.key signed by `ca`, with subjectAltName `san`.
  void make_cert(const std::string& name, const std::string& ca, const std::string& san) {
    std::ofstream(path(name + ".ext")) << "subjectAltName=" << san << "\n";
    run_openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + name +
                " -keyout " + path(name + ".key") + " -out " + path(name + ".csr"));
    run_openssl("x509 -req -days 1 -in " + path(name + ".csr") + " -CA " + path(ca + ".pem") + " -CAkey " +
                path(ca + ".key") + " -CAcreateserial -extfile " + path(name + ".ext") + " -out " +
                path(name + ".pem"));
  }
};

/// Answers every request on a TLS connection with 200 "tls ok", keep-alive.
awaitable<void> serve_tls(tcp::acceptor& acceptor, ssl::context& context) {
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(
      acceptor.get_executor(),
      [&context, socket = std::move(socket)]() mutable -> awaitable<void> {
        beast::ssl_stream<beast::tcp_stream> stream{std::move(socket), context};
        beast::error_code ec;
        co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;   // the client refused the certificate
        beast::flat_buffer buffer;
        for (;;) {
          bhttp::request<bhttp::string_body> req;
          co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
          if (ec) co_return;
          bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
          res.body() = "tls ok";
          res.keep_alive(req.keep_alive());
          res.prepare_payload();
          co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
          if (ec || !req.keep_alive()) co_return;
        }
      },
      asio::detached);
  }
}

struct tls_upstream : ::testing::Test {
  static inline std::unique_ptr<throwaway_pki> pki;

  static void SetUpTestSuite() {
    pki = std::make_unique<throwaway_pki>(fs::temp_directory_path() /
                                          ("fedstack-tls-test-" + std::to_string(::getpid())));
    pki->make_ca("cloud-ca");
    pki->make_ca("other-ca");
    pki->make_cert("cloud", "cloud-ca", "DNS:localhost,IP:127.0.0.1");
    pki->make_cert("stranger", "other-ca", "DNS:localhost,IP:127.0.0.1");
    pki->make_cert("elsewhere", "cloud-ca", "DNS:cloud.example.com,IP:192.0.2.1");
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(pki->dir, ignored);
    configure_upstream_tls({});
  }

  /// GETs https://`host`:port/ from a server presenting `cert`, trusting `ca`
  /// (empty: the system's CAs);
  /// "status body", or the error's text.
  std::string get(const std::string& cert, const std::string& ca, const std::string& host,
                  connection_pool* pool = nullptr, int times = 1) {
    configure_upstream_tls(ca.empty() ? std::string{} : pki->path(ca + ".pem"));
    ssl::context server_context{ssl::context::tls_server};
    server_context.use_certificate_chain_file(pki->path(cert + ".pem"));
    server_context.use_private_key_file(pki->path(cert + ".key"), ssl::context::pem);
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    auto port = acceptor.local_endpoint().port();
    asio::co_spawn(io, serve_tls(acceptor, server_context), asio::detached);
    auto to = parse_endpoint("https://" + host + ":" + std::to_string(port));
    return test_support::run_until_done(
      io,
      [&]() -> awaitable<std::string> {
        std::string out;
        try {
          for (int i = 0; i < times; ++i) {
            bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/", 11};
            response res;   // no co_await inside ?: (GCC 12 destroys its result twice)
            if (pool)
              res = co_await fetch(*pool, *to, std::move(req), 5s);
            else
              res = co_await fetch(*to, std::move(req), 5s);
            out += (out.empty() ? "" : ";") + std::to_string(res.status) + " " + res.body;
          }
        } catch (const boost::system::system_error& e) {
          out = e.what();
        }
        co_return out;
      },
      [&] {
        beast::error_code ignored;
        acceptor.close(ignored);
        io.stop();
      });
  }
};

TEST_F(tls_upstream, a_certificate_from_the_configured_ca_for_the_host_is_accepted) {
  EXPECT_EQ(get("cloud", "cloud-ca", "127.0.0.1"), "200 tls ok");
  EXPECT_EQ(get("cloud", "cloud-ca", "localhost"), "200 tls ok");   // by name: SNI and DNS check
}

TEST_F(tls_upstream, pooled_tls_connections_are_reused) {
  connection_pool pool;
  EXPECT_EQ(get("cloud", "cloud-ca", "127.0.0.1", &pool, 3), "200 tls ok;200 tls ok;200 tls ok");
  EXPECT_EQ(pool.reused(), 2u);
}

TEST_F(tls_upstream, a_certificate_from_another_ca_is_refused) {
  auto out = get("stranger", "cloud-ca", "127.0.0.1");
  std::cout << "refused: " << out << "\n";
  EXPECT_NE(out.find("certificate verify failed"), std::string::npos) << out;
  EXPECT_NE(out.find("https://127.0.0.1:"), std::string::npos) << out;   // says which upstream
}

TEST_F(tls_upstream, a_certificate_for_another_host_is_refused) {
  auto by_address = get("elsewhere", "cloud-ca", "127.0.0.1");
  EXPECT_NE(by_address.find("certificate verify failed: IP address mismatch"), std::string::npos) << by_address;
  auto by_name = get("elsewhere", "cloud-ca", "localhost");
  EXPECT_NE(by_name.find("certificate verify failed: hostname mismatch"), std::string::npos) << by_name;
}

TEST_F(tls_upstream, without_a_ca_file_the_system_cas_decide) {
  // The throwaway CA is not among the system's: refused, as any unknown issuer.
  auto out = get("cloud", "", "127.0.0.1");
  EXPECT_NE(out.find("certificate verify failed: unable to get local issuer certificate"), std::string::npos)
    << out;
}

TEST_F(tls_upstream, an_unreadable_ca_file_is_named) {
  try {
    configure_upstream_tls(pki->path("missing.pem"));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
}

} // namespace
