#include "storage/lmdb_env.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/storage/temp_dir.hpp"

using namespace fedstack::storage;
using fedstack::test::temp_dir;

namespace {

TEST(lmdb_env, creates_missing_directory_and_files) {
  temp_dir dir;
  auto path = dir.sub("a/b/registry");
  lmdb_env env{path};
  EXPECT_TRUE(std::filesystem::exists(path + "/data.mdb"));
  EXPECT_TRUE(std::filesystem::exists(path + "/lock.mdb"));
  EXPECT_EQ(env.max_key_size(), 511u);
}

TEST(lmdb_env, put_get_del_and_missing_keys) {
  temp_dir dir;
  lmdb_env env{dir.path()};
  auto db = env.open_db("kv");
  env.write([&](write_txn& txn) {
    txn.put(db, "alpha", "1");
    txn.put(db, "beta", std::string_view{"\0x", 2});
  });
  {
    auto txn = env.begin_read();
    EXPECT_EQ(txn.get(db, "alpha"), "1");
    EXPECT_EQ(txn.get(db, "beta"), std::string("\0x", 2));
    EXPECT_EQ(txn.get(db, "gamma"), std::nullopt);
    // Keys LMDB cannot hold cannot be found, and that is not an error.
    EXPECT_EQ(txn.get(db, ""), std::nullopt);
    EXPECT_EQ(txn.get(db, std::string(600, 'k')), std::nullopt);
  }
  EXPECT_TRUE(env.write([&](write_txn& txn) { return txn.del(db, "alpha"); }));
  EXPECT_FALSE(env.write([&](write_txn& txn) { return txn.del(db, "alpha"); }));
  EXPECT_FALSE(env.write([&](write_txn& txn) { return txn.del(db, ""); }));
  EXPECT_EQ(env.begin_read().entries(db), 1u);
}

TEST(lmdb_env, counts_each_write_once_it_has_ended) {
  temp_dir dir;
  lmdb_options options;
  options.writes = std::make_shared<std::atomic<std::uint64_t>>(0);
  lmdb_env env{dir.path(), options};
  auto db = env.open_db("kv");   // a write transaction too
  EXPECT_EQ(options.writes->load(), 1u);
  env.write([&](write_txn& txn) {
    // Not yet: readers must not see the new count before the data.
    EXPECT_EQ(options.writes->load(), 1u);
    txn.put(db, "k", "v");
  });
  EXPECT_EQ(options.writes->load(), 2u);
  // A write that fails counts too: a reader can only be asked to look again.
  EXPECT_THROW(env.write([&](write_txn& txn) { txn.put(db, "", "v"); }), lmdb_error);
  EXPECT_EQ(options.writes->load(), 3u);
  // Reads do not count.
  EXPECT_EQ(env.begin_read().get(db, "k"), "v");
  EXPECT_EQ(options.writes->load(), 3u);
}

TEST(lmdb_env, invalid_keys_throw_on_put) {
  temp_dir dir;
  lmdb_env env{dir.path()};
  auto db = env.open_db("kv");
  EXPECT_THROW(env.write([&](write_txn& txn) { txn.put(db, "", "v"); }), lmdb_error);
  EXPECT_THROW(env.write([&](write_txn& txn) { txn.put(db, std::string(512, 'k'), "v"); }),
               lmdb_error);
  env.write([&](write_txn& txn) { txn.put(db, std::string(511, 'k'), "v"); });
  EXPECT_EQ(env.begin_read().entries(db), 1u);
}

TEST(lmdb_env, prefix_scan_stays_in_range) {
  temp_dir dir;
  lmdb_env env{dir.path()};
  auto db = env.open_db("kv");
  env.write([&](write_txn& txn) {
    for (auto key : {"a", "ab", "abc", "abd", "ac", "b"})
      txn.put(db, key, key);
  });
  auto txn = env.begin_read();
  auto rows = txn.prefix(db, "ab");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].first, "ab");
  EXPECT_EQ(rows[2].first, "abd");
  EXPECT_EQ(txn.prefix(db, "").size(), 6u);
  EXPECT_TRUE(txn.prefix(db, "zz").empty());
  // Starting inside the range and stopping early.
  std::vector<std::string> seen;
  txn.scan(db, "a", [&](std::string_view key, std::string_view) {
    seen.emplace_back(key);
    return seen.size() < 2;
  }, "abc");
  EXPECT_EQ(seen, (std::vector<std::string>{"abc", "abd"}));
}

TEST(lmdb_env, discarded_write_leaves_nothing) {
  temp_dir dir;
  lmdb_env env{dir.path()};
  auto db = env.open_db("kv");
  env.write([&](write_txn& txn) {
    txn.put(db, "k", "v");
    txn.discard();
  });
  EXPECT_EQ(env.begin_read().get(db, "k"), std::nullopt);
  // An exception thrown inside a write aborts it as well.
  EXPECT_THROW(env.write([&](write_txn& txn) {
    txn.put(db, "k", "v");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(env.begin_read().get(db, "k"), std::nullopt);
}

TEST(lmdb_env, map_grows_from_a_tiny_size) {
  temp_dir dir;
  lmdb_options options;
  options.map_size = 64 * 1024;
  lmdb_env env{dir.path(), options};
  auto db = env.open_db("kv");
  std::string value(200, 'v');
  // 4000 x ~210 bytes in one transaction: far beyond 64 KiB.
  env.write([&](write_txn& txn) {
    for (int i = 0; i < 4000; ++i)
      txn.put(db, "key-" + std::to_string(i), value);
  });
  EXPECT_GT(env.num_map_growths(), 0u);
  EXPECT_GT(env.map_size(), options.map_size);
  auto txn = env.begin_read();
  EXPECT_EQ(txn.entries(db), 4000u);
  EXPECT_EQ(txn.get(db, "key-3999"), value);
}

TEST(lmdb_env, map_full_at_the_limit_throws) {
  temp_dir dir;
  lmdb_options options;
  options.map_size = 64 * 1024;
  options.max_map_size = 128 * 1024;
  lmdb_env env{dir.path(), options};
  auto db = env.open_db("kv");
  std::string value(1000, 'v');
  EXPECT_THROW(env.write([&](write_txn& txn) {
    for (int i = 0; i < 1000; ++i)
      txn.put(db, "key-" + std::to_string(i), value);
  }),
               lmdb_error);
  // The environment still works for writes that fit.
  env.write([&](write_txn& txn) { txn.put(db, "small", "v"); });
  EXPECT_EQ(env.begin_read().get(db, "small"), "v");
}

TEST(lmdb_env, data_survives_reopening) {
  temp_dir dir;
  {
    lmdb_env env{dir.path()};
    auto db = env.open_db("kv");
    env.write([&](write_txn& txn) { txn.put(db, "k", "v"); });
  }
  lmdb_env env{dir.path()};
  auto db = env.open_db("kv");
  EXPECT_EQ(env.begin_read().get(db, "k"), "v");
}

TEST(lmdb_env, opening_twice_in_one_process_is_refused) {
  temp_dir dir;
  lmdb_env env{dir.path()};
  EXPECT_THROW(lmdb_env{dir.path() + "/."}, lmdb_error);
}

TEST(lmdb_env, unusable_directory_throws) {
  temp_dir dir;
  std::ofstream{dir.sub("file")} << "x";
  EXPECT_THROW(lmdb_env{dir.sub("file/registry")}, lmdb_error);
}

}  // namespace
