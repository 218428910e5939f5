#include "actors/tls.hpp"

#include <dlfcn.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <array>
#include <map>

#include <caf/atom.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/io/basp/header.hpp>
#include <caf/message_id.hpp>
#include <caf/openssl/manager.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

namespace fedstack {

namespace {

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* x) const { EVP_PKEY_free(x); }
};
struct store_free {
  void operator()(X509_STORE* x) const { X509_STORE_free(x); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* x) const { X509_STORE_CTX_free(x); }
};
struct stack_free {
  void operator()(STACK_OF(X509)* x) const { sk_X509_free(x); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

/// The reason of the oldest error on this thread's OpenSSL queue; clears it.
std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "no details from OpenSSL";
  if (auto reason = ERR_reason_error_string(code))
    return reason;
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

std::optional<std::string> open_file(const std::string& path, const std::string& what,
                                     file_ptr& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return "cannot read " + what + " '" + path + "': " +
           (ec ? ec.message() : std::string{"not a regular file"});
  errno = 0;
  out.reset(std::fopen(path.c_str(), "r"));
  if (!out)
    return "cannot read " + what + " '" + path + "': " + std::strerror(errno);
  return std::nullopt;
}

/// Every PEM certificate in `path`, in file order; an error if there is none.
std::optional<std::string> read_certificates(const std::string& path, const std::string& what,
                                             std::vector<x509_ptr>& out) {
  file_ptr file;
  if (auto error = open_file(path, what, file))
    return error;
  ERR_clear_error();
  while (auto cert = PEM_read_X509(file.get(), nullptr, nullptr, nullptr))
    out.emplace_back(cert);
  // The loop ends at the end of the file with "no start line": not an error
  // once at least one certificate was read.
  auto reason = openssl_reason();
  if (out.empty())
    return what + " '" + path + "' holds no PEM certificate (" + reason + ")";
  return std::nullopt;
}

int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

/// Verifies `leaf` (with the other certificates of its file as intermediates)
/// against the CA for one purpose (X509_PURPOSE_SSL_SERVER or _CLIENT).
std::optional<std::string> verify(X509_STORE* store, X509* leaf, STACK_OF(X509)* chain,
                                  int purpose) {
  std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, chain) != 1)
    return "cannot verify: " + openssl_reason();
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) == 1)
    return std::nullopt;
  auto code = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return X509_verify_cert_error_string(code);
}

}  // namespace

bool tls_enabled(const tls_files& files) {
  return !files.ca.empty() && !files.cert.empty() && !files.key.empty();
}

std::optional<std::string> check_tls_files(const tls_files& files, tls_role role,
                                           const std::string& names) {
  auto named = int{!files.ca.empty()} + int{!files.cert.empty()} + int{!files.key.empty()};
  if (named == 0)
    return std::nullopt;
  if (named != 3)
    return names + " go together: set all three (TLS) or none (plain, unauthenticated)";
  std::vector<x509_ptr> authorities;
  if (auto error = read_certificates(files.ca, "the CA certificate", authorities))
    return error;
  std::vector<x509_ptr> certs;
  if (auto error = read_certificates(files.cert, "the certificate", certs))
    return error;
  file_ptr key_file;
  if (auto error = open_file(files.key, "the private key", key_file))
    return error;
  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, pkey_free> key{
    PEM_read_PrivateKey(key_file.get(), nullptr, refuse_passphrase, nullptr)};
  if (!key)
    return "the private key '" + files.key + "' is not an unencrypted PEM private key (" +
           openssl_reason() + ")";
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return "the private key '" + files.key + "' does not belong to the certificate '" +
           files.cert + "'";
  }
  std::unique_ptr<X509_STORE, store_free> store{X509_STORE_new()};
  for (auto& ca : authorities)
    if (!store || X509_STORE_add_cert(store.get(), ca.get()) != 1)
      return "cannot use the CA certificate '" + files.ca + "': " + openssl_reason();
  std::unique_ptr<STACK_OF(X509), stack_free> chain{sk_X509_new_null()};
  for (std::size_t i = 1; chain && i < certs.size(); ++i)
    sk_X509_push(chain.get(), certs[i].get());
  std::vector<std::pair<int, const char*>> purposes{{X509_PURPOSE_SSL_CLIENT, "client"}};
  if (role == tls_role::node)
    purposes.emplace_back(X509_PURPOSE_SSL_SERVER, "server");
  for (auto [purpose, name] : purposes)
    if (auto error = verify(store.get(), certs.front().get(), chain.get(), purpose))
      return "the certificate '" + files.cert + "' is not valid as a TLS " + name +
             " certificate of the CA '" + files.ca + "': " + *error;
  return std::nullopt;
}

namespace {

/// The one fedstack identity among `cert`'s subjectAltName URIs: unknown if
/// it names none, or two.
peer_identity identity_in(X509* cert) {
  if (cert == nullptr) return peer_identity::unknown();
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return peer_identity::unknown();
  std::optional<peer_identity> found;
  std::vector<std::string> addresses;
  bool ambiguous = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    auto* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_IPADD && ASN1_STRING_length(name->d.iPAddress) == 4) {
      char text[INET_ADDRSTRLEN] = "";
      inet_ntop(AF_INET, ASN1_STRING_get0_data(name->d.iPAddress), text, sizeof text);
      addresses.emplace_back(text);
    }
    if (name->type != GEN_URI) continue;
    auto* text = name->d.uniformResourceIdentifier;
    std::string_view uri{reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                         static_cast<std::size_t>(ASN1_STRING_length(text))};
    auto parsed = parse_identity_uri(uri);
    if (!parsed) continue;
    if (found && !(*found == *parsed)) ambiguous = true;
    found = std::move(parsed);
  }
  GENERAL_NAMES_free(names);
  if (!found || ambiguous) return peer_identity::unknown();
  if (found->who == peer_identity::kind::cloudlet) found->addresses = std::move(addresses);
  return *found;
}

}  // namespace

std::optional<peer_identity> certificate_identity(const std::string& cert_file) {
  std::vector<x509_ptr> certs;
  if (read_certificates(cert_file, "the certificate", certs)) return std::nullopt;
  auto identity = identity_in(certs.front().get());
  if (identity.who == peer_identity::kind::unknown) return std::nullopt;
  return identity;
}

void use_tls(caf::actor_system_config& cfg, const tls_files& files) {
  cfg.load<caf::openssl::manager>();
  // Any of these set makes CAF require and verify certificates on both sides
  // (session.cpp); cafile alone is the trust anchor, capath stays unset.
  cfg.set("openssl.cafile", files.ca);
  cfg.set("openssl.certificate", files.cert);
  cfg.set("openssl.key", files.key);
  cfg.set("middleman.enable-automatic-connections", false);
}

bool uses_tls(const caf::actor_system& sys) {
  return sys.has_openssl_manager() && sys.openssl_manager().authentication_enabled();
}

caf::io::middleman_actor node_middleman(caf::actor_system& sys) {
  if (uses_tls(sys))
    return sys.openssl_manager().actor_handle();
  return sys.middleman().actor_handle();
}

// ---------------------------------------------------------------------------
// Around OpenSSL's I/O calls.
//
// CAF 0.17.6's openssl session (session.cpp) breaks one rule of OpenSSL's:
// the thread's error queue must be empty before an SSL I/O call, since
// SSL_get_error looks at the queue first. CAF never empties it (only its
// compiled-out logging would), so an error left by one connection (a refused
// handshake; "unexpected eof" when a peer closes without close_notify, which
// CAF never sends) makes the next "would block" of another connection on
// the same thread look like a fatal error, and CAF drops a healthy
// connection. And a failed handshake is reported to nobody: the socket is
// closed, the BASP broker forgets it, and Debian's CAF has no logging.
//
// So these four definitions stand in for OpenSSL's (the executable's symbols
// come first when the dynamic linker resolves libcaf_openssl's calls): each
// empties the queue, calls OpenSSL's own (dlsym RTLD_NEXT) and, for a
// handshake that failed for good, logs the peer and OpenSSL's reason. The
// result and the errors of the call itself reach CAF unchanged.

namespace {

std::atomic<std::uint64_t> handshake_failures{0};

template <class Fn>
Fn next_definition(const char* name) {
  auto* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "fedstack: cannot find OpenSSL's %s: %s\n", name, dlerror());
    std::abort();
  }
  Fn fn;
  static_assert(sizeof fn == sizeof symbol);
  std::memcpy(&fn, &symbol, sizeof fn);
  return fn;
}

std::string peer_of(SSL* ssl) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  auto fd = SSL_get_fd(ssl);
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return "an unknown peer";
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string{host} + ":" + std::to_string(ntohs(in->sin_port));
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  return "[" + std::string{host} + "]:" + std::to_string(ntohs(in6->sin6_port));
}

/// At most `burst` lines per `window`; the rest are counted and reported
/// with the next line, so a flood of strangers cannot flood the log.
bool may_log(std::uint64_t& suppressed) {
  constexpr int burst = 20;
  constexpr auto window = std::chrono::seconds{60};
  static std::mutex mutex;
  static auto window_start = std::chrono::steady_clock::now();
  static int logged = 0;
  static std::uint64_t skipped = 0;
  std::lock_guard<std::mutex> guard{mutex};
  auto now = std::chrono::steady_clock::now();
  if (now - window_start >= window) {
    window_start = now;
    logged = 0;
  }
  if (logged >= burst) {
    ++skipped;
    return false;
  }
  ++logged;
  suppressed = skipped;
  skipped = 0;
  return true;
}

/// Marks a connection whose failure was counted: CAF calls SSL_accept or
/// SSL_connect again on a failed connection before it closes it.
int reported_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int handshake(SSL* ssl, int (*real)(SSL*), bool accepting) {
  // Only CAF's node sessions sit on a socket; Asio's https streams to the
  // clouds use memory BIOs, report their own errors, and are no node's.
  if (SSL_get_fd(ssl) < 0)
    return real(ssl);
  // Taken before the call: a peer that gives up may be gone right after.
  auto peer = peer_of(ssl);
  ERR_clear_error();
  auto result = real(ssl);
  if (result == 1)
    return result;
  auto saved_errno = errno;
  auto code = SSL_get_error(ssl, result);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE ||
      SSL_get_ex_data(ssl, reported_index()) != nullptr) {
    errno = saved_errno;
    return result;
  }
  static char reported = 1;
  SSL_set_ex_data(ssl, reported_index(), &reported);
  handshake_failures.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t suppressed = 0;
  if (may_log(suppressed)) {
    std::string reason;
    // Peek, do not take: CAF asks SSL_get_error about this call afterwards.
    if (auto error = ERR_peek_error(); error != 0) {
      auto* text = ERR_reason_error_string(error);
      reason = text != nullptr ? text : "OpenSSL error " + std::to_string(error);
    } else if (code == SSL_ERROR_SYSCALL && saved_errno != 0) {
      reason = std::strerror(saved_errno);
    } else {
      reason = "the peer closed the connection";
    }
    if (auto verified = SSL_get_verify_result(ssl); verified != X509_V_OK)
      reason += std::string{" ("} + X509_verify_cert_error_string(verified) + ")";
    std::string more = suppressed == 0 ? std::string{}
                                       : " (" + std::to_string(suppressed) +
                                           " more handshake failures not logged)";
    if (accepting)
      spdlog::warn("node refused a TLS handshake from {}: {}{}", peer, reason, more);
    else
      spdlog::warn("TLS handshake with node {} failed: {}{}", peer, reason, more);
  }
  errno = saved_errno;
  return result;
}

}  // namespace

// -- The BASP stream of node connections (tls.hpp) ------------------------------

namespace {

std::atomic<caf::actor_id> reachable_actor{0};
std::atomic<std::uint64_t> frames_refused{0};

/// Node ID -> the identity its connections' certificates name.
struct binding {
  peer_identity identity;
  int connections = 0;
};
std::mutex bindings_mutex;
std::map<std::string, binding> bindings;

constexpr std::size_t max_handshake_payload = 1u << 20;

/// Where one connection's incoming BASP stream stands.
struct basp_reader {
  std::array<char, caf::io::basp::header_size> header{};
  std::size_t header_have = 0;
  std::uint64_t payload_left = 0;
  bool in_payload = false;
  /// A handshake's payload is kept: it starts with the sender's node ID.
  bool capture = false;
  std::vector<char> captured;
  bool refused = false;
  std::string bound_node;
};

void unbind(basp_reader& reader) {
  if (reader.bound_node.empty()) return;
  std::lock_guard<std::mutex> guard{bindings_mutex};
  auto i = bindings.find(reader.bound_node);
  if (i != bindings.end() && --i->second.connections <= 0) bindings.erase(i);
  reader.bound_node.clear();
}

void free_reader(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  auto* reader = static_cast<basp_reader*>(ptr);
  if (reader == nullptr) return;
  unbind(*reader);
  delete reader;
}

int reader_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_reader);
  return index;
}

basp_reader& reader_of(SSL* ssl) {
  auto* reader = static_cast<basp_reader*>(SSL_get_ex_data(ssl, reader_index()));
  if (reader == nullptr) {
    reader = new basp_reader;
    SSL_set_ex_data(ssl, reader_index(), reader);
  }
  return *reader;
}

void refuse(SSL* ssl, basp_reader& reader, const std::string& why) {
  reader.refused = true;
  frames_refused.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t suppressed = 0;
  if (may_log(suppressed))
    spdlog::warn("node connection with {} closed: {}{}", peer_of(ssl), why,
                 suppressed == 0 ? std::string{}
                                 : " (" + std::to_string(suppressed) + " more refusals not logged)");
}

/// Binds the node ID at the start of a handshake payload to the identity of
/// the connection's certificate. False if the payload holds no node ID.
bool bind(SSL* ssl, basp_reader& reader) {
  caf::binary_deserializer source{static_cast<caf::execution_unit*>(nullptr), reader.captured.data(),
                                  reader.captured.size()};
  caf::node_id node;
  if (source(node) || !node) return false;
  auto key = caf::to_string(node);
  X509* cert = SSL_get_peer_certificate(ssl);
  auto identity = identity_in(cert);
  X509_free(cert);
  unbind(reader);
  std::lock_guard<std::mutex> guard{bindings_mutex};
  auto& entry = bindings[key];
  if (entry.connections > 0 && !(entry.identity == identity)) {
    spdlog::warn("node ID {} is claimed by certificates of {} and {}: refusing its messages",
                 key, to_string(entry.identity), to_string(identity));
    entry.identity = peer_identity::unknown();
  } else if (entry.connections == 0) {
    entry.identity = identity;
  }
  ++entry.connections;
  reader.bound_node = key;
  return true;
}

/// Drops a message CAF has not seen yet: its header, still whole in the
/// buffer CAF reads into, gets no name and the destination 2^64-1, an ID no
/// actor has (IDs count up from 1; 0 would make BASP close the connection),
/// so the BASP broker discards it (and answers a request with an error).
void neutralize(char* header) {
  header[3] = static_cast<char>(header[3] & ~caf::io::basp::header::named_receiver_flag);
  std::memset(header + caf::io::basp::header_size - sizeof(caf::actor_id), 0xff, sizeof(caf::actor_id));
}


/// Checks one complete header; false (and the connection refused) if the
/// peer may not send it. `whole` is the header in CAF's buffer when all of
/// it arrived in this read (else null): a message to another local actor is
/// then dropped instead of the connection.
bool admit(SSL* ssl, basp_reader& reader, char* whole) {
  using caf::io::basp::message_type;
  caf::io::basp::header hdr;
  caf::binary_deserializer source{static_cast<caf::execution_unit*>(nullptr), reader.header.data(),
                                  reader.header.size()};
  if (source(hdr)) {
    refuse(ssl, reader, "unreadable BASP header");
    return false;
  }
  if (hdr.payload_len > max_basp_payload) {
    refuse(ssl, reader, "a BASP payload of " + std::to_string(hdr.payload_len) + " bytes");
    return false;
  }
  auto handshake = caf::io::basp::is_handshake(hdr);
  if (handshake && hdr.payload_len > max_handshake_payload) {
    refuse(ssl, reader, "a BASP handshake of " + std::to_string(hdr.payload_len) + " bytes");
    return false;
  }
  switch (hdr.operation) {
    case message_type::server_handshake:
    case message_type::client_handshake:
    case message_type::monitor_message:
    case message_type::down_message:
    case message_type::heartbeat:
      break;
    case message_type::routed_message:
      refuse(ssl, reader, "a routed message (its source node is the sender's claim)");
      return false;
    case message_type::direct_message: {
      // Responses go to whichever actor asked; an unexpected one is dropped.
      if ((hdr.operation_data & caf::message_id::response_flag_mask) != 0) break;
      auto target = reachable_actor.load(std::memory_order_relaxed);
      bool named = hdr.has(caf::io::basp::header::named_receiver_flag);
      if (named || target == 0 || hdr.dest_actor != target) {
        // Every BASP broker asks a new node's "SpawnServ" for itself (remote
        // spawning, which fedstack does not use): dropped quietly.
        bool spawn_server = named && hdr.dest_actor == static_cast<std::uint64_t>(caf::atom("SpawnServ"));
        if (whole == nullptr) {
          refuse(ssl, reader, "a message to actor " + std::to_string(hdr.dest_actor) +
                                ", which is not the node actor");
          return false;
        }
        neutralize(whole);
        if (!spawn_server) {
          frames_refused.fetch_add(1, std::memory_order_relaxed);
          std::uint64_t suppressed = 0;
          if (may_log(suppressed))
            spdlog::warn("node dropped a message from {} to {} {}, which is not the node actor", peer_of(ssl),
                         named ? "named actor" : "actor", hdr.dest_actor);
        }
        break;
      }
      // An anonymous message from a peer would look local to the node actor
      // (no sender), and its exit message may name any source.
      if (hdr.source_actor == 0) {
        refuse(ssl, reader, "an anonymous message to the node actor");
        return false;
      }
      break;
    }
    default:
      refuse(ssl, reader, "an unknown BASP operation");
      return false;
  }
  reader.in_payload = hdr.payload_len > 0;
  reader.payload_left = hdr.payload_len;
  reader.capture = handshake;
  reader.captured.clear();
  if (handshake && hdr.payload_len == 0) {
    refuse(ssl, reader, "a BASP handshake without a node ID");
    return false;
  }
  return true;
}

/// Follows `n` bytes CAF just read; false if the connection must close.
bool follow(SSL* ssl, char* data, std::size_t n) {
  auto& reader = reader_of(ssl);
  if (reader.refused) return false;
  while (n > 0) {
    if (!reader.in_payload) {
      char* whole = reader.header_have == 0 && n >= reader.header.size() ? data : nullptr;
      auto take = std::min(n, reader.header.size() - reader.header_have);
      std::memcpy(reader.header.data() + reader.header_have, data, take);
      reader.header_have += take;
      data += take;
      n -= take;
      if (reader.header_have < reader.header.size()) continue;
      reader.header_have = 0;
      if (!admit(ssl, reader, whole)) return false;
    } else {
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, reader.payload_left));
      if (reader.capture) reader.captured.insert(reader.captured.end(), data, data + take);
      reader.payload_left -= take;
      data += take;
      n -= take;
      if (reader.payload_left > 0) continue;
      reader.in_payload = false;
      if (reader.capture) {
        reader.capture = false;
        if (!bind(ssl, reader)) {
          refuse(ssl, reader, "a BASP handshake without a node ID");
          return false;
        }
        reader.captured = {};
      }
    }
  }
  return true;
}

}  // namespace

void set_reachable_actor(caf::actor_id id) {
  reachable_actor.store(id, std::memory_order_relaxed);
}

std::optional<peer_identity> identity_of_node(const caf::node_id& node) {
  std::lock_guard<std::mutex> guard{bindings_mutex};
  auto i = bindings.find(caf::to_string(node));
  if (i == bindings.end()) return std::nullopt;
  return i->second.identity;
}

std::uint64_t basp_frames_refused() {
  return frames_refused.load(std::memory_order_relaxed);
}

std::uint64_t tls_handshake_failures() {
  return handshake_failures.load(std::memory_order_relaxed);
}

}  // namespace fedstack

extern "C" int SSL_accept(SSL* ssl) {
  using fn = int (*)(SSL*);
  static const auto real = fedstack::next_definition<fn>("SSL_accept");
  return fedstack::handshake(ssl, real, true);
}

extern "C" int SSL_connect(SSL* ssl) {
  using fn = int (*)(SSL*);
  static const auto real = fedstack::next_definition<fn>("SSL_connect");
  return fedstack::handshake(ssl, real, false);
}

extern "C" int SSL_read(SSL* ssl, void* buffer, int size) {
  using fn = int (*)(SSL*, void*, int);
  static const auto real = fedstack::next_definition<fn>("SSL_read");
  ERR_clear_error();
  // Only CAF's node sessions sit on a socket; Asio's TLS streams use a BIO pair.
  bool node_connection = SSL_get_fd(ssl) >= 0;
  if (node_connection && fedstack::reader_of(ssl).refused) {
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PACKET_LENGTH);
    return -1;
  }
  auto result = real(ssl, buffer, size);
  if (result > 0 && node_connection &&
      !fedstack::follow(ssl, static_cast<char*>(buffer), static_cast<std::size_t>(result))) {
    // SSL_get_error sees this and CAF closes the connection: nothing of the
    // refused message reaches the BASP broker in full.
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PACKET_LENGTH);
    return -1;
  }
  return result;
}

extern "C" int SSL_write(SSL* ssl, const void* buffer, int size) {
  using fn = int (*)(SSL*, const void*, int);
  static const auto real = fedstack::next_definition<fn>("SSL_write");
  ERR_clear_error();
  return real(ssl, buffer, size);
}
