#include "sim/image_upload.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace fedstack::sim {

struct image_upload::digests {
  EVP_MD_CTX* md5 = EVP_MD_CTX_new();
  EVP_MD_CTX* sha512 = EVP_MD_CTX_new();
  digests() {
    EVP_DigestInit_ex(md5, EVP_md5(), nullptr);
    EVP_DigestInit_ex(sha512, EVP_sha512(), nullptr);
  }
  ~digests() {
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha512);
  }
  static std::string final_hex(EVP_MD_CTX* ctx) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
  }
};

image_upload::image_upload(std::filesystem::path file)
  : file_(std::move(file)), digests_(std::make_unique<digests>()) {
  partial_ = file_;
  partial_ += ".part";
  std::filesystem::create_directories(file_.parent_path());
  out_ = std::fopen(partial_.c_str(), "wb");
  if (!out_) throw std::runtime_error("cannot create " + partial_.string());
}

image_upload::~image_upload() {
  if (!done_) abort();
}

void image_upload::write(std::string_view data) {
  if (data.empty()) return;
  if (std::fwrite(data.data(), 1, data.size(), out_) != data.size()) {
    throw std::runtime_error("write to " + partial_.string() + " failed");
  }
  EVP_DigestUpdate(digests_->md5, data.data(), data.size());
  EVP_DigestUpdate(digests_->sha512, data.data(), data.size());
  size_ += static_cast<std::int64_t>(data.size());
}

upload_digest image_upload::commit() {
  if (std::fclose(out_) != 0) {
    out_ = nullptr;
    throw std::runtime_error("closing " + partial_.string() + " failed");
  }
  out_ = nullptr;
  std::filesystem::rename(partial_, file_);
  done_ = true;
  return {size_, digests::final_hex(digests_->md5), digests::final_hex(digests_->sha512)};
}

void image_upload::abort() {
  if (out_) std::fclose(out_);
  out_ = nullptr;
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
  done_ = true;
}

} // namespace fedstack::sim
