// Which server actions give or take a security group (agent/rules/security_group_action.hpp),
// and the body that names it by name on the server's cloudlet.

#include <gtest/gtest.h>

#include "agent/rules/security_group_action.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
namespace bhttp = boost::beast::http;

const std::string server = "/compute/v2.1/servers/0b5f3c52-1b5e-4a3b-9a5c-7f000001861f/action";

TEST(SecurityGroupAction, AddAndRemoveNameTheirGroupAnythingElseIsNone) {
  auto route = api::classify("POST", server);
  auto add = security_group_action_of(route, bhttp::verb::post, json::parse(R"({"addSecurityGroup": {"name": "web"}})"));
  ASSERT_TRUE(add);
  EXPECT_TRUE(add->add);
  EXPECT_EQ(add->given, "web");
  auto remove = security_group_action_of(route, bhttp::verb::post,
                                         json::parse(R"({"removeSecurityGroup": {"name": "g-id"}})"));
  ASSERT_TRUE(remove);
  EXPECT_FALSE(remove->add);
  EXPECT_EQ(remove->given, "g-id");

  EXPECT_FALSE(security_group_action_of(route, bhttp::verb::post, json::parse(R"({"addSecurityGroup": {"name": "default"}})")))
    << "every project's default group is on every cloud";
  EXPECT_FALSE(security_group_action_of(route, bhttp::verb::post, json::parse(R"({"addSecurityGroup": {}})")))
    << "Nova judges a malformed body";
  EXPECT_FALSE(security_group_action_of(route, bhttp::verb::post, json::parse(R"({"reboot": {"type": "SOFT"}})")));
  EXPECT_FALSE(security_group_action_of(api::classify("POST", "/compute/v2.1/os-security-groups"), bhttp::verb::post,
                                        json::parse(R"({"addSecurityGroup": {"name": "web"}})")));
}

TEST(SecurityGroupAction, TheBodyNamesTheGroupByName) {
  EXPECT_EQ(name_action_group(json::parse(R"({"removeSecurityGroup": {"name": "g-id"}})"), "web"),
            json::parse(R"({"removeSecurityGroup": {"name": "web"}})"));
}

} // namespace
} // namespace fedstack::agent
