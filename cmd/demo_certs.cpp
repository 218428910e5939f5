#include "cmd/demo_certs.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fedstack::cmd {
namespace {

struct pkey_free { void operator()(EVP_PKEY* x) const { EVP_PKEY_free(x); } };
struct x509_free { void operator()(X509* x) const { X509_free(x); } };
struct file_close { void operator()(std::FILE* f) const { std::fclose(f); } };
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using file_ptr = std::unique_ptr<std::FILE, file_close>;

std::string openssl_error(const std::string& what) {
  char text[256] = "no details";
  if (auto code = ERR_get_error(); code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return what + ": " + text;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::optional<std::string> write_key(const std::string& path, EVP_PKEY* key) {
  auto old = umask(077);
  file_ptr f{std::fopen(path.c_str(), "w")};
  umask(old);
  if (!f || PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return openssl_error("cannot write " + path);
  return std::nullopt;
}

std::optional<std::string> write_cert(const std::string& path, X509* cert) {
  file_ptr f{std::fopen(path.c_str(), "w")};
  if (!f || PEM_write_X509(f.get(), cert) != 1) return openssl_error("cannot write " + path);
  return std::nullopt;
}

pkey_ptr read_key(const std::string& path) {
  file_ptr f{std::fopen(path.c_str(), "r")};
  return pkey_ptr{f ? PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr) : nullptr};
}

x509_ptr read_cert(const std::string& path) {
  file_ptr f{std::fopen(path.c_str(), "r")};
  return x509_ptr{f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr};
}

pkey_ptr new_key() {
  return pkey_ptr{EVP_EC_gen("P-256")};
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  auto* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  auto ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

/// A certificate for `key` named CN=`name`, issued by (issuer, issuer_key),
/// or self-signed when issuer is null; `extensions` are (NID, value) pairs.
x509_ptr make_cert(EVP_PKEY* key, const std::string& name, X509* issuer, EVP_PKEY* issuer_key, long days,
                   const std::vector<std::pair<int, std::string>>& extensions) {
  x509_ptr cert{X509_new()};
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  auto* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  auto* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fedstack demo federation"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
  for (const auto& [nid, value] : extensions)
    if (!add_extension(cert.get(), issuer ? issuer : cert.get(), nid, value)) return nullptr;
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

} // namespace

std::optional<std::string> ensure_demo_ca(const std::string& dir) {
  auto crt = dir + "/ca.crt", key_path = dir + "/ca.key";
  if (exists(crt) && exists(key_path)) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto key = new_key();
  if (!key) return openssl_error("cannot make the demo CA's key");
  auto cert = make_cert(key.get(), "fedstack demo federation CA", nullptr, nullptr, 3650,
                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"}});
  if (!cert) return openssl_error("cannot make the demo CA's certificate");
  if (auto error = write_key(key_path, key.get())) return error;
  return write_cert(crt, cert.get());
}

std::optional<std::string> ensure_demo_cert(const std::string& dir, const std::string& name,
                                            const std::string& region, demo_cert_paths& out) {
  out = {dir + "/ca.crt", dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  if (exists(out.cert) && exists(out.key)) return std::nullopt;
  auto ca_key = read_key(dir + "/ca.key");
  auto ca = read_cert(out.ca);
  if (!ca_key || !ca) return "cannot read the demo CA in " + dir;
  auto key = new_key();
  if (!key) return openssl_error("cannot make a key for " + name);
  std::vector<std::pair<int, std::string>> extensions{{NID_basic_constraints, "critical,CA:FALSE"},
                                                      {NID_key_usage, "critical,digitalSignature"},
                                                      {NID_subject_key_identifier, "hash"},
                                                      {NID_authority_key_identifier, "keyid"}};
  if (region.empty()) {
    extensions.emplace_back(NID_ext_key_usage, "clientAuth");
    extensions.emplace_back(NID_subject_alt_name, "URI:urn:fedstack:operator");
  } else {
    extensions.emplace_back(NID_ext_key_usage, "serverAuth,clientAuth");
    extensions.emplace_back(NID_subject_alt_name, "IP:127.0.0.1,URI:urn:fedstack:cloudlet:" + region);
  }
  auto cert = make_cert(key.get(), name, ca.get(), ca_key.get(), 825, extensions);
  if (!cert) return openssl_error("cannot make the certificate of " + name);
  if (auto error = write_key(out.key, key.get())) return error;
  return write_cert(out.cert, cert.get());
}

} // namespace fedstack::cmd
