// Who may see and use another project's resource (agent/rules/visibility.hpp):
// the registry only maps IDs, the owning cloud's answer to the caller decides.

#include <gtest/gtest.h>

#include "agent/rules/visibility.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::entry_state;
using storage::registry_entry;
using storage::resource_kind;

registry_entry entry_of(const std::string& project, resource_kind kind = resource_kind::image,
                        entry_state state = entry_state::bound) {
  registry_entry e;
  e.kind = kind;
  e.global_id = *api::make_global_id({"127.0.0.1", 4790});
  e.project_id = project;
  e.state = state;
  e.copies = {{"cloudlet-2", "primary-id"}, {"cloudlet-1", "copy-id"}};
  return e;
}

TEST(Visibility, NoEntryIsUnknown) { EXPECT_EQ(visibility_of("demo", std::nullopt).use, entry_use::unknown); }

TEST(Visibility, TheCallersOwnEntryIsUsedWithoutAskingACloud) {
  auto v = visibility_of("demo", entry_of("demo"));
  EXPECT_EQ(v.use, entry_use::own);
  EXPECT_TRUE(v.path.empty());
}

TEST(Visibility, AnotherProjectsEntryIsAskedOfTheCloudOfItsPrimary) {
  auto v = visibility_of("demo", entry_of("admin"));
  EXPECT_EQ(v.use, entry_use::ask_cloud);
  EXPECT_EQ(v.cloudlet, "cloudlet-2") << "the primary's cloud, not a copy's";
  EXPECT_EQ(v.service, api::service_type::image);
  EXPECT_EQ(v.path, "/v2/images/primary-id");
}

TEST(Visibility, EachKindIsAskedWithTheGetThatShowsIt) {
  EXPECT_EQ(visibility_of("demo", entry_of("admin", resource_kind::network)).path, "/v2.0/networks/primary-id");
  EXPECT_EQ(visibility_of("demo", entry_of("admin", resource_kind::subnet)).path, "/v2.0/subnets/primary-id");
  EXPECT_EQ(visibility_of("demo", entry_of("admin", resource_kind::port)).path, "/v2.0/ports/primary-id");
  auto server = visibility_of("demo", entry_of("admin", resource_kind::server));
  EXPECT_EQ(server.service, api::service_type::compute);
  EXPECT_EQ(server.path, "/v2.1/servers/primary-id");
  EXPECT_EQ(visibility_of("demo", entry_of("admin", resource_kind::flavor)).use, entry_use::unknown);
}

TEST(Visibility, AnotherProjectsReservationOrEmptyEntryIsUnknown) {
  EXPECT_EQ(visibility_of("demo", entry_of("admin", resource_kind::image, entry_state::reserved)).use,
            entry_use::unknown);
  auto empty = entry_of("admin");
  empty.copies.clear();
  EXPECT_EQ(visibility_of("demo", empty).use, entry_use::unknown);
}

TEST(Visibility, OnlyA200FromTheOwningCloudShowsIt) {
  EXPECT_TRUE(shown_to_caller(200));
  for (unsigned status : {0u, 204u, 401u, 403u, 404u, 409u, 500u, 503u, 504u})
    EXPECT_FALSE(shown_to_caller(status)) << status;
}

TEST(Visibility, ACopyOfTheCallersOwnResourceIsMadeAsToday) {
  auto maker = copy_maker_for(resource_kind::image, "demo", "demo", {{"owner", "demo"}, {"visibility", "public"}});
  EXPECT_FALSE(maker.as_service);
  EXPECT_TRUE(maker.fields.empty());
  EXPECT_FALSE(maker.member);
}

TEST(Visibility, ACopyOfAnotherProjectsImageKeepsItsOwnerAndVisibility) {
  auto maker = copy_maker_for(resource_kind::image, "demo", "admin", {{"owner", "admin"}, {"visibility", "public"}});
  EXPECT_TRUE(maker.as_service);
  EXPECT_EQ(maker.fields, (json{{"owner", "admin"}, {"visibility", "public"}}));
  EXPECT_FALSE(maker.member);
  auto community = copy_maker_for(resource_kind::image, "demo", "admin", {{"owner", "admin"}, {"visibility", "community"}});
  EXPECT_EQ(community.fields.at("visibility"), "community");
}

TEST(Visibility, ACopyOfASharedImageHasTheCallerAsMember) {
  auto maker = copy_maker_for(resource_kind::image, "demo", "alt", {{"owner", "alt"}, {"visibility", "shared"}});
  EXPECT_TRUE(maker.as_service);
  EXPECT_EQ(maker.fields.at("visibility"), "shared");
  ASSERT_TRUE(maker.member);
  EXPECT_EQ(*maker.member, "demo");
}

TEST(Visibility, ACopyOfAnotherProjectsNetworkKeepsItsProjectAndSharing) {
  auto shared = copy_maker_for(resource_kind::network, "demo", "admin",
                               {{"project_id", "admin"}, {"shared", true}, {"router:external", false}});
  EXPECT_TRUE(shared.as_service);
  EXPECT_EQ(shared.fields, (json{{"project_id", "admin"}, {"shared", true}}));
  auto external = copy_maker_for(resource_kind::network, "demo", "admin", {{"tenant_id", "admin"}, {"router:external", true}});
  EXPECT_EQ(external.fields, (json{{"project_id", "admin"}, {"shared", false}, {"router:external", true}}));
  auto subnet = copy_maker_for(resource_kind::subnet, "demo", "admin", {{"project_id", "admin"}});
  EXPECT_EQ(subnet.fields, (json{{"project_id", "admin"}}));
}

} // namespace
} // namespace fedstack::agent
