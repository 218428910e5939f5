// Global IDs carry their owner's node address; markers tie cloud resources to them.

#include <set>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "forked.hpp"

namespace fedstack::api {
namespace {

using json = nlohmann::json;

TEST(GlobalId, EncodesTheOwnerAndStaysAUuid) {
  auto id = make_global_id({"10.1.2.254", 4791});
  ASSERT_TRUE(id);
  EXPECT_TRUE(is_uuid(*id));
  EXPECT_EQ(id->substr(24), "0a0102fe12b7");
  auto owner = global_id_owner(*id);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->host, "10.1.2.254");
  EXPECT_EQ(owner->port, 4791);
}

TEST(GlobalId, IsFreshEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(*make_global_id({"127.0.0.1", 4790}));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(GlobalId, IsNotRepeatedByAForkedProcess) {
  auto [parent, child] =
    testing::make_in_parent_and_child([] { return *make_global_id({"10.0.0.7", 4790}); });
  // Same layout in both: version 8, the variant bits, the owner in the last group.
  for (const auto& id : {parent, child}) {
    ASSERT_TRUE(is_uuid(id)) << id;
    EXPECT_EQ(id[14], '8') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_EQ(id.substr(24), "0a00000712b6") << id;
  }
  EXPECT_NE(parent.substr(0, 24), child.substr(0, 24));
}

TEST(GlobalId, CloudUuidsAreNotGlobalIds) {
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(global_id_owner(make_uuid()));
  EXPECT_FALSE(global_id_owner("not-a-uuid"));
  // Version 8 but port 0: not something an agent makes.
  EXPECT_FALSE(global_id_owner("12345678-1234-8234-9234-7f0000010000"));
  // Version 8 with a non-RFC variant.
  EXPECT_FALSE(global_id_owner("12345678-1234-8234-c234-7f0000011000"));
}

TEST(GlobalId, NeedsADottedIpv4Owner) {
  EXPECT_FALSE(make_global_id({"controller-1", 4790}));
  EXPECT_FALSE(make_global_id({"::1", 4790}));
  EXPECT_FALSE(make_global_id({"256.0.0.1", 4790}));
  EXPECT_FALSE(make_global_id({"1.2.3", 4790}));
  EXPECT_FALSE(make_global_id({"1.2.3.4.5", 4790}));
  EXPECT_TRUE(make_global_id({"0.0.0.0", 1}));
}

TEST(Markers, ASnapshotsInheritedMarkerIsNotItsOwn) {
  // Nova copies the base image's properties, markers included, into snapshot and shelve images.
  auto id = *make_global_id({"127.0.0.1", 4790});
  json inherited = {{std::string(gid_key), id}, {"image_type", "snapshot"},
                    {"instance_uuid", "8d2c7f4e-3f5a-4d6b-9c1e-2a3b4c5d6e7f"}};
  EXPECT_FALSE(read_marker(service_type::image, inherited));
  inherited[std::string(snapshot_of_key)] = "0d2c7f4e-3f5a-4d6b-9c1e-2a3b4c5d6e7f";   // a recorded snapshot's, inherited
  EXPECT_FALSE(read_marker(service_type::image, inherited));
  json recorded = inherited;
  recorded[std::string(snapshot_of_key)] = "8d2c7f4e-3f5a-4d6b-9c1e-2a3b4c5d6e7f";   // the agent recorded this one
  ASSERT_TRUE(read_marker(service_type::image, recorded));
  strip_marker(service_type::image, recorded);
  EXPECT_FALSE(recorded.contains(std::string(snapshot_of_key)));
}

TEST(Markers, RoundTripThroughEachServiceShape) {
  auto id = *make_global_id({"127.0.0.1", 4790});
  for (bool is_copy : {false, true}) {
    marker m{id, is_copy, {}};
    json image = {{"name", "cirros"}};
    add_marker(service_type::image, image, m);
    auto read = read_marker(service_type::image, image);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->global_id, id);
    EXPECT_EQ(read->is_copy, is_copy);
    strip_marker(service_type::image, image);
    EXPECT_EQ(image, (json{{"name", "cirros"}}));

    json boot = {{"server", {{"name", "vm"}, {"metadata", {{"role", "web"}}}}}};
    add_marker(service_type::compute, boot, m);
    json server = boot["server"];
    read = read_marker(service_type::compute, server);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->is_copy, is_copy);
    strip_marker(service_type::compute, server);
    EXPECT_EQ(server["metadata"], (json{{"role", "web"}}));

    // The federation's other tags (a security group copy's origin, a used floating IP) go too.
    json network = {{"id", make_uuid()},
                    {"tags", {"blue", marker_tag(m), "fedstack_sg_copy_of=" + make_uuid(), "fedstack_fip_used"}}};
    read = read_marker(service_type::network, network);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->global_id, id);
    EXPECT_EQ(read->is_copy, is_copy);
    strip_marker(service_type::network, network);
    EXPECT_EQ(network["tags"], (json{"blue"}));
  }
}

TEST(Markers, EachServerOfABootOfSeveralHasItsOwnGlobalId) {
  auto boot_id = *make_global_id({"10.1.2.254", 4791});
  const std::string token = "0123456789abcdef0123456789abcdef";
  marker m{boot_id, false, token};
  m.shared_id = boot_id;
  json boot = {{"server", {{"name", "vm"}, {"metadata", {{"role", "web"}}}}}};
  add_marker(service_type::compute, boot, m);
  EXPECT_EQ(boot["server"]["metadata"],
            (json{{"role", "web"}, {"fedstack_gid", boot_id}, {"fedstack_attempt", token}, {"fedstack_multi", "1"}}))
    << "Nova gives every server of the boot this metadata";
  std::set<std::string> seen;
  for (const auto& local : {make_uuid(), make_uuid()}) {
    json server = boot["server"];
    server["id"] = local;
    auto read = read_marker(service_type::compute, server);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->shared_id, boot_id);
    EXPECT_EQ(read->created_as(), boot_id);
    EXPECT_EQ(read->attempt, token);
    EXPECT_EQ(read->global_id, server_global_id(boot_id, local)) << "derived from the server alone";
    EXPECT_EQ(read->global_id, server_global_id(boot_id, local)) << "the same each time";
    auto owner = global_id_owner(read->global_id);
    ASSERT_TRUE(owner) << read->global_id;
    EXPECT_EQ(owner->host, "10.1.2.254");
    EXPECT_EQ(owner->port, 4791);
    seen.insert(read->global_id);
    strip_marker(service_type::compute, server);
    EXPECT_EQ(server["metadata"], (json{{"role", "web"}}));
  }
  seen.insert(boot_id);
  EXPECT_EQ(seen.size(), 3u) << "each server its own ID, none the boot's";
  EXPECT_FALSE(server_global_id(make_uuid(), "x")) << "only a global ID names a boot";
  // Without the flag (every single boot), the marker's ID is the server's.
  json single = {{"id", make_uuid()}, {"metadata", {{"fedstack_gid", boot_id}}}};
  EXPECT_EQ(read_marker(service_type::compute, single)->global_id, boot_id);
  EXPECT_TRUE(read_marker(service_type::compute, single)->shared_id.empty());
}

TEST(Markers, IgnoresWhatIsNotAGlobalId) {
  EXPECT_FALSE(read_marker(service_type::image, json{{"fedstack_gid", make_uuid()}}));
  EXPECT_FALSE(read_marker(service_type::image, json{{"fedstack_gid", 7}}));
  EXPECT_FALSE(read_marker(service_type::compute, json{{"metadata", "x"}}));
  EXPECT_FALSE(read_marker(service_type::network, json{{"tags", {"fedstack_gid=oops"}}}));
  EXPECT_FALSE(read_marker(service_type::network, json::array()));
}

TEST(Markers, CarryTheAttemptTokenInEachServiceShape) {
  auto id = *make_global_id({"127.0.0.1", 4790});
  const std::string token = "0123456789abcdef0123456789abcdef";
  marker m{id, false, token};
  json image = {{"name", "cirros"}};
  add_marker(service_type::image, image, m);
  EXPECT_EQ(image["fedstack_attempt"], token);
  EXPECT_EQ(read_marker(service_type::image, image)->attempt, token);
  strip_marker(service_type::image, image);
  EXPECT_EQ(image, (json{{"name", "cirros"}}));

  json boot = {{"server", {{"name", "vm"}}}};
  add_marker(service_type::compute, boot, m);
  EXPECT_EQ(read_marker(service_type::compute, boot["server"])->attempt, token);
  strip_marker(service_type::compute, boot["server"]);
  EXPECT_EQ(boot["server"]["metadata"], json::object());

  // Neutron: the token is a tag of its own, within Neutron's 60 characters.
  auto tag = attempt_tag(token);
  EXPECT_LE(tag.size(), 60u);
  json network = {{"id", make_uuid()}, {"tags", {tag, "blue", marker_tag(m)}}};
  auto read = read_marker(service_type::network, network);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->global_id, id);
  EXPECT_EQ(read->attempt, token);
  strip_marker(service_type::network, network);
  EXPECT_EQ(network["tags"], (json{"blue"}));

  // No token, or a malformed one, reads as none; the marker stays.
  for (const json& bad : {json(7), json("short"), json(std::string(32, 'A')), json(std::string(32, 'z'))}) {
    json other = {{"fedstack_gid", id}, {"fedstack_attempt", bad}};
    auto without = read_marker(service_type::image, other);
    ASSERT_TRUE(without) << bad.dump();
    EXPECT_EQ(without->attempt, "") << bad.dump();
  }
  EXPECT_TRUE(is_attempt_token(token));
  EXPECT_FALSE(is_attempt_token(token + "0"));
}

} // namespace
} // namespace fedstack::api
