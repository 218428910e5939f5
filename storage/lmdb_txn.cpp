#include "storage/lmdb_env.hpp"

namespace fedstack::storage {

namespace {

MDB_val to_val(std::string_view x) {
  return MDB_val{x.size(), const_cast<char*>(x.data())};
}

std::string_view to_view(const MDB_val& x) {
  return {static_cast<const char*>(x.mv_data), x.mv_size};
}

bool valid_key(const lmdb_env& env, std::string_view key) {
  return !key.empty() && key.size() <= env.max_key_size();
}

// Closes a cursor on every path out of a scan.
struct cursor_guard {
  MDB_cursor* cursor = nullptr;
  ~cursor_guard() {
    if (cursor != nullptr)
      mdb_cursor_close(cursor);
  }
};

}  // namespace

// -- lmdb_txn -----------------------------------------------------------------

lmdb_txn::lmdb_txn(lmdb_env& env, unsigned flags) : env_(&env) {
  // MDB_MAP_RESIZED: another process grew the map. Adopt its size (legal
  // only while this process has no transaction open) and try again.
  for (int attempt = 0;; ++attempt) {
    int rc = mdb_txn_begin(env.native(), nullptr, flags, &txn_);
    if (rc == MDB_SUCCESS)
      break;
    if (rc != MDB_MAP_RESIZED || attempt == 3 || env.open_txns_.load() != 0)
      throw lmdb_error("mdb_txn_begin", rc);
    if (int rc2 = mdb_env_set_mapsize(env.native(), 0); rc2 != MDB_SUCCESS)
      throw lmdb_error("mdb_env_set_mapsize(0)", rc2);
  }
  ++env.open_txns_;
}

lmdb_txn::~lmdb_txn() {
  abort();
}

void lmdb_txn::abort() noexcept {
  if (txn_ == nullptr)
    return;
  mdb_txn_abort(txn_);
  forget();
}

void lmdb_txn::forget() noexcept {
  txn_ = nullptr;
  --env_->open_txns_;
}

MDB_txn* lmdb_txn::checked() const {
  if (txn_ == nullptr)
    throw lmdb_error("transaction used after commit or discard", EINVAL);
  return txn_;
}

std::optional<std::string_view> lmdb_txn::get_view(MDB_dbi dbi,
                                                   std::string_view key) const {
  if (!valid_key(*env_, key))
    return std::nullopt;
  auto k = to_val(key);
  MDB_val v;
  int rc = mdb_get(checked(), dbi, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::nullopt;
  if (rc != MDB_SUCCESS)
    throw lmdb_error("mdb_get", rc);
  return to_view(v);
}

std::optional<std::string> lmdb_txn::get(MDB_dbi dbi, std::string_view key) const {
  if (auto view = get_view(dbi, key))
    return std::string{*view};
  return std::nullopt;
}

void lmdb_txn::scan(MDB_dbi dbi, std::string_view prefix, const kv_visitor& visit,
                    std::string_view from) const {
  if (from.empty())
    from = prefix;
  cursor_guard guard;
  if (int rc = mdb_cursor_open(checked(), dbi, &guard.cursor); rc != MDB_SUCCESS)
    throw lmdb_error("mdb_cursor_open", rc);
  MDB_val k = to_val(from);
  MDB_val v;
  // An empty start key is not a valid LMDB key: start at the first one.
  int rc = from.empty() ? mdb_cursor_get(guard.cursor, &k, &v, MDB_FIRST)
                        : mdb_cursor_get(guard.cursor, &k, &v, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    auto key = to_view(k);
    if (key.compare(0, prefix.size(), prefix) != 0)
      return;  // left the prefix range
    if (!visit(key, to_view(v)))
      return;
    rc = mdb_cursor_get(guard.cursor, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND)
    throw lmdb_error("mdb_cursor_get", rc);
}

std::vector<std::pair<std::string, std::string>>
lmdb_txn::prefix(MDB_dbi dbi, std::string_view prefix) const {
  std::vector<std::pair<std::string, std::string>> result;
  scan(dbi, prefix, [&](std::string_view key, std::string_view value) {
    result.emplace_back(std::string{key}, std::string{value});
    return true;
  });
  return result;
}

std::size_t lmdb_txn::entries(MDB_dbi dbi) const {
  MDB_stat stat;
  if (int rc = mdb_stat(checked(), dbi, &stat); rc != MDB_SUCCESS)
    throw lmdb_error("mdb_stat", rc);
  return stat.ms_entries;
}

// -- read_txn / write_txn -----------------------------------------------------

read_txn::read_txn(lmdb_env& env) : lmdb_txn(env, MDB_RDONLY) {
}

write_txn::write_txn(lmdb_env& env) : lmdb_txn(env, 0) {
}

void write_txn::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  auto k = to_val(key);
  auto v = to_val(value);
  int rc = mdb_put(checked(), dbi, &k, &v, 0);
  if (rc == MDB_MAP_FULL)
    throw map_full_error("mdb_put", rc);
  if (rc != MDB_SUCCESS)
    throw lmdb_error("mdb_put", rc);
}

bool write_txn::del(MDB_dbi dbi, std::string_view key) {
  if (!valid_key(*env_, key))
    return false;
  auto k = to_val(key);
  int rc = mdb_del(checked(), dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return false;
  if (rc != MDB_SUCCESS)
    throw lmdb_error("mdb_del", rc);
  return true;
}

MDB_dbi write_txn::open_db(const std::string& name) {
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(checked(), name.c_str(), MDB_CREATE, &dbi);
  if (rc == MDB_MAP_FULL)
    throw map_full_error("mdb_dbi_open " + name, rc);
  if (rc != MDB_SUCCESS)
    throw lmdb_error("mdb_dbi_open " + name, rc);
  return dbi;
}

void write_txn::commit() {
  if (txn_ == nullptr)
    return;  // discarded
  // mdb_txn_commit frees the transaction even when it fails.
  int rc = mdb_txn_commit(txn_);
  forget();
  if (rc == MDB_MAP_FULL)
    throw map_full_error("mdb_txn_commit", rc);
  if (rc != MDB_SUCCESS)
    throw lmdb_error("mdb_txn_commit", rc);
}

}  // namespace fedstack::storage
