#include "storage/lmdb_env.hpp"

#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>

namespace fedstack::storage {

namespace {

// LMDB forbids opening one environment twice in a process (its locks are
// per process), so we remember which directories are open.
std::mutex open_paths_mutex;
std::set<std::string> open_paths;

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS)
    throw lmdb_error(what, rc);
}

}  // namespace

lmdb_error::lmdb_error(const std::string& context, int code)
  : std::runtime_error(context + ": " + mdb_strerror(code)), code_(code) {
}

lmdb_env::lmdb_env(const std::string& dir, const lmdb_options& options)
  : options_(options) {
  namespace fs = std::filesystem;
  std::error_code err;
  fs::create_directories(dir, err);
  if (err)
    throw lmdb_error("cannot create " + dir, err.value());
  path_ = fs::canonical(dir, err).string();
  if (err)
    throw lmdb_error("cannot resolve " + dir, err.value());
  {
    std::lock_guard<std::mutex> guard{open_paths_mutex};
    if (!open_paths.insert(path_).second)
      throw lmdb_error("environment already open in this process: " + path_, EBUSY);
  }
  auto fail = [this](int rc, const char* what) {
    if (env_ != nullptr)
      mdb_env_close(env_);
    env_ = nullptr;
    std::lock_guard<std::mutex> guard{open_paths_mutex};
    open_paths.erase(path_);
    throw lmdb_error(std::string{what} + " " + path_, rc);
  };
  if (int rc = mdb_env_create(&env_); rc != MDB_SUCCESS)
    fail(rc, "mdb_env_create");
  if (int rc = mdb_env_set_maxdbs(env_, options_.max_dbs); rc != MDB_SUCCESS)
    fail(rc, "mdb_env_set_maxdbs");
  if (int rc = mdb_env_set_mapsize(env_, options_.map_size); rc != MDB_SUCCESS)
    fail(rc, "mdb_env_set_mapsize");
  if (int rc = mdb_env_open(env_, path_.c_str(), options_.flags | MDB_NOTLS, 0640);
      rc != MDB_SUCCESS)
    fail(rc, "mdb_env_open");
  // Free the reader slots of processes that died holding a read txn.
  int dead = 0;
  if (int rc = mdb_reader_check(env_, &dead); rc != MDB_SUCCESS)
    fail(rc, "mdb_reader_check");
  max_key_size_ = static_cast<std::size_t>(mdb_env_get_maxkeysize(env_));
}

lmdb_env::~lmdb_env() {
  mdb_env_close(env_);
  std::lock_guard<std::mutex> guard{open_paths_mutex};
  open_paths.erase(path_);
}

MDB_dbi lmdb_env::open_db(const std::string& name) {
  return write([&](write_txn& txn) { return txn.open_db(name); });
}

std::size_t lmdb_env::map_size() const {
  MDB_envinfo info;
  check(mdb_env_info(env_, &info), "mdb_env_info");
  return info.me_mapsize;
}

void lmdb_env::grow_map() {
  if (open_txns_.load() != 0)
    throw lmdb_error("map full while other transactions are open", MDB_MAP_FULL);
  auto current = map_size();
  if (current >= options_.max_map_size)
    throw lmdb_error("map full at its maximum size", MDB_MAP_FULL);
  auto next = current > options_.max_map_size / 2 ? options_.max_map_size : current * 2;
  check(mdb_env_set_mapsize(env_, next), "mdb_env_set_mapsize");
  ++num_map_growths_;
}

}  // namespace fedstack::storage
