// Which parts of an image PATCH reach the image's copies (agent/rules/image_patch_rule.hpp).

#include <gtest/gtest.h>

#include "agent/rules/image_patch_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json op(const char* kind, const char* path, json value = nullptr) {
  json out{{"op", kind}, {"path", path}};
  if (!value.is_null()) out["value"] = std::move(value);
  return out;
}

const json copy_image{{"id", "c1"}, {"name", "cirros"}, {"min_ram", 0}, {"visibility", "private"},
                      {"os_type", "linux"}, {"disk_format", "qcow2"}, {"fedstack_copy_of", "g"}};

TEST(image_patch_rule, every_change_but_the_per_image_ones_reaches_a_copy) {
  json ops{op("replace", "/name", "cirros-2"), op("add", "/hw_disk_bus", "scsi"), op("replace", "/min_ram", 512),
           op("replace", "/visibility", "public"), op("add", "/locations/-", json{{"url", "http://x"}}),
           op("replace", "/locations", json::array()), op("replace", "/disk_format", "raw"),
           op("replace", "/checksum", "0"), op("add", "/fedstack_gid", "forged")};
  EXPECT_TRUE(patch_reaches_copies(ops));
  EXPECT_EQ(copy_patch(ops, copy_image), json({op("replace", "/name", "cirros-2"), op("add", "/hw_disk_bus", "scsi"),
                                               op("replace", "/min_ram", 512), op("replace", "/visibility", "public")}));
}

TEST(image_patch_rule, a_copy_without_a_property_gets_it_added_and_is_not_asked_to_remove_it) {
  json ops{op("replace", "/hw_disk_bus", "virtio"), op("remove", "/hw_vif_model"), op("remove", "/os_type"),
           op("replace", "/os_type", "windows")};
  EXPECT_EQ(copy_patch(ops, copy_image), json({op("add", "/hw_disk_bus", "virtio"), op("remove", "/os_type"),
                                               op("add", "/os_type", "windows")}))
    << "Glance answers 409 for a replace or a remove of a property the image lacks";
  json add_then_remove{op("add", "/architecture", "x86_64"), op("remove", "/architecture")};
  EXPECT_EQ(copy_patch(add_then_remove, copy_image), add_then_remove) << "what the copy holds follows the ops";
}

TEST(image_patch_rule, a_patch_of_only_per_image_changes_reaches_no_copy) {
  json ops{op("add", "/locations/-", json{{"url", "http://x"}}), op("remove", "/locations/0")};
  EXPECT_FALSE(patch_reaches_copies(ops));
  EXPECT_EQ(copy_patch(ops, copy_image), json::array());
  EXPECT_FALSE(patch_reaches_copies(json::object()));
  EXPECT_FALSE(patch_reaches_copies(json::array({op("replace", "no-slash", 1), json("x")})));
}

} // namespace
} // namespace fedstack::agent
