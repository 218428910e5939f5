// Images made on a cloud directly, through the agent's handler (docs/federation.md,
// "Images made on a cloud directly"): the operator's image on every cloudlet
// listed once and booted with the target's own; a tenant's upload straight to
// Glance adopted and copied; what stays hidden, what is never deleted.

#include <chrono>

#include <gtest/gtest.h>

#include "agent/rules/direct_image_rule.hpp"
#include "agent/services/service_session.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class DirectImageFlow : public ::testing::Test {
protected:
  DirectImageFlow() : session(agent_options{}, h.clouds().keystone()) {
    // The agent's service user is an admin (it makes copies of other projects' images).
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
  }

  std::string admin_project() { return h.clouds().admin_project_id(); }
  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// The operator's public image, made on `region`'s Glance directly.
  std::string operator_image(const std::string& region, const std::string& name = "cirros") {
    return h.clouds().seed_image(region, h.admin_token(), {{"name", name}, {"visibility", "public"}});
  }

  std::string flavor_id(const std::string& region) {
    auto listed = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", h.demo_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == "m1.tiny") return f.value("id", std::string{});
    ADD_FAILURE() << "no m1.tiny on " << region;
    return {};
  }

  captured_response boot(const std::string& image, const std::string& on, const std::string& token = {}) {
    h.placement().place_on(on);
    json body{{"server", {{"name", "vm"}, {"imageRef", image}, {"flavorRef", flavor_id("cloudlet-1")}}}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", body, token);
  }

  /// The imageRef of the boots Nova on `region` was sent.
  std::vector<std::string> booted_images(const std::string& region) {
    std::vector<std::string> out;
    for (const auto& call : h.clouds().calls_to(region, bhttp::verb::post, "/v2.1/servers"))
      out.push_back(json::parse(call.body).at("server").at("imageRef").get<std::string>());
    return out;
  }

  /// The entries of the copies of images this agent adopted.
  std::vector<storage::registry_entry> adopted() {
    std::vector<storage::registry_entry> out;
    for (const auto& [key, value] : h.registry().meta())
      if (key.rfind("adopted/image/", 0) == 0)
        if (auto record = decode_adopted(value))
          if (auto entry = h.registry().entry(record->global_id)) out.push_back(*entry);
    return out;
  }

  json image_on(const std::string& region, const std::string& id) {
    auto shown = h.clouds().direct(region, svc::image, bhttp::verb::get, "/v2/images/" + id, h.admin_token());
    return shown.status == 200 ? json::parse(shown.body) : json();
  }

  /// Records `local_id` on `region` as a copy in `entry`, as a boot that streamed the bytes does.
  void add_copy(const storage::registry_entry& entry, const std::string& region, const std::string& local_id) {
    // Named: GCC 12 destroys a temporary passed by value to a coroutine twice (docs/decisions.md).
    std::string project = entry.project_id, global_id = entry.global_id;
    storage::cloud_copy copy{region, local_id};
    h.run([&]() -> http::awaitable<void> { co_await h.registry().add_copy(project, global_id, copy); });
    ASSERT_TRUE(h.registry().entry(global_id)->copy_on(region));
  }

  static std::string without(std::string text, const std::string& id) {
    for (auto at = text.find(id); at != std::string::npos; at = text.find(id)) text.replace(at, id.size(), "<id>");
    return text;
  }

  flow_harness h;
  service_session session;
};

// --- equal images: the operator's cirros on every cloudlet ---

TEST_F(DirectImageFlow, TheOperatorsImageOnEveryCloudletIsListedOnceUnderTheOwnCloudletsId) {
  auto own = operator_image("cloudlet-1");
  operator_image("cloudlet-2");
  operator_image("cloudlet-3");
  auto mine = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "cirros"}});   // demo's own "cirros"
  for (const std::string target : {"/image/v2/images", "/image/v2/images?name=cirros"}) {
    auto listed = h.send(bhttp::verb::get, target);
    ASSERT_EQ(listed.status, 200u) << listed.body;
    std::vector<std::string> ids;
    auto doc = json::parse(listed.body);   // named: a range-for over a temporary's member dangles
    for (const auto& image : doc.at("images")) ids.push_back(image.at("id"));
    EXPECT_EQ(ids.size(), 2u) << target << ": " << listed.body;
    EXPECT_NE(std::find(ids.begin(), ids.end(), own), ids.end()) << "this agent's cloudlet's cirros";
    EXPECT_NE(std::find(ids.begin(), ids.end(), mine), ids.end()) << "demo's look-alike is another image";
  }
}

TEST_F(DirectImageFlow, ABootWithTheOperatorsImageUsesTheTargetsEqualImageWithoutACopy) {
  auto own = operator_image("cloudlet-1");
  operator_image("cloudlet-2");
  auto third = operator_image("cloudlet-3");
  auto answer = boot(own, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted_images("cloudlet-3"), (std::vector<std::string>{third})) << "cloudlet-3's own cirros";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty()) << "nothing copied";
  EXPECT_TRUE(adopted().empty()) << "nothing to record";
  // On the cloudlet that holds the ID itself, it goes unchanged.
  ASSERT_EQ(boot(third, "cloudlet-3").status, 202u);
  EXPECT_EQ(booted_images("cloudlet-3").back(), third);
}

// --- a tenant's upload straight to Glance: adopted, then copied ---

TEST_F(DirectImageFlow, DemosUploadOnCloudlet2IsAdoptedUnderDemosProjectAndCopiedAsTheFederations) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}, {"visibility", "private"}});
  auto before = image_on("cloudlet-2", upload);
  boot(upload, "cloudlet-3");   // the bytes move over sockets (end-to-end tests): here the copy's create
  auto entries = adopted();
  ASSERT_EQ(entries.size(), 1u);
  const auto& entry = entries[0];
  EXPECT_EQ(entry.project_id, demo_project()) << "under the project its cloud names";
  for (const auto& copy : entry.copies) EXPECT_NE(copy.local_id, upload) << "the upload itself is never in it";
  auto record = decode_adopted(h.registry().meta().at(adopted_image_key(upload)));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->global_id, entry.global_id);
  EXPECT_EQ(record->cloudlet, "cloudlet-2");
  auto creates = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images");
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(json::parse(creates[0].body).at(std::string(api::copy_of_key)), entry.global_id) << "marked as a copy";
  EXPECT_EQ(json::parse(creates[0].body).at("visibility"), "private") << "as private as the upload";
  EXPECT_EQ(image_on("cloudlet-2", upload), before) << "the upload itself is never changed (no marker written)";
}

TEST_F(DirectImageFlow, AnAdoptedImagesCopyIsUsedByTheNextBootAndOnlyTheCopyMapsToTheGlobalId) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  boot(upload, "cloudlet-3");   // adopts it
  auto entry = adopted().at(0);
  // The copy as a boot that could stream the bytes leaves it.
  auto copy = h.clouds().seed_image("cloudlet-3", h.demo_token(),
                                    {{"name", "mine"}, {std::string(api::copy_of_key), entry.global_id}});
  add_copy(entry, "cloudlet-3", copy);
  h.clouds().clear_log();
  auto answer = boot(upload, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted_images("cloudlet-3"), (std::vector<std::string>{copy}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty()) << "no second copy";
  EXPECT_EQ(adopted().size(), 1u) << "adopted once";
  // The image list shows the upload under its cloud ID, once; the copy is hidden.
  auto listed = json::parse(h.send(bhttp::verb::get, "/image/v2/images?name=mine").body).at("images");
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0].at("id"), upload);
}

TEST_F(DirectImageFlow, AnotherProjectsPrivateImageByItsCloudIdIsAsUnknownAsARandomId) {
  auto hidden = h.clouds().seed_image("cloudlet-2", h.admin_token(), {{"name", "secret"}, {"visibility", "private"}});
  auto random = api::make_uuid();
  auto refused = boot(hidden, "cloudlet-3");
  auto unknown = boot(random, "cloudlet-3");
  EXPECT_EQ(refused.status, unknown.status) << refused.body;
  EXPECT_EQ(without(refused.body, hidden), without(unknown.body, random));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty()) << "never copied";
  EXPECT_TRUE(adopted().empty()) << "never recorded";
  auto shown = h.send(bhttp::verb::get, "/image/v2/images/" + hidden);
  auto shown_unknown = h.send(bhttp::verb::get, "/image/v2/images/" + random);
  EXPECT_EQ(shown.status, 404u);
  EXPECT_EQ(without(shown.body, hidden), without(shown_unknown.body, random));
}

TEST_F(DirectImageFlow, TheAdminBootingDemosImageAdoptsItForDemoAndCopiesItAsDemosIs) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  boot(upload, "cloudlet-3", h.admin_token());
  auto entries = adopted();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].project_id, demo_project()) << "demo's image, not the admin's";
  auto creates = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images");
  ASSERT_EQ(creates.size(), 1u);
  auto body = json::parse(creates[0].body);
  EXPECT_EQ(body.at("owner"), demo_project()) << "the copy is owned as the primary is";
  EXPECT_EQ(body.at("visibility"), image_on("cloudlet-2", upload).at("visibility")) << "and as visible";
}

TEST_F(DirectImageFlow, ACloudIdNamingDifferentImagesOnTwoCloudletsIsAConflictElsewhere) {
  auto id = api::make_uuid();
  h.clouds().seed_image("cloudlet-2", h.admin_token(), {{"id", id}, {"name", "a"}, {"visibility", "public"}});
  h.clouds().seed_image("cloudlet-3", h.admin_token(), {{"id", id}, {"name", "b"}, {"visibility", "public"}});
  auto elsewhere = boot(id, "cloudlet-1");
  EXPECT_EQ(elsewhere.status, 409u) << elsewhere.body;
  EXPECT_TRUE(adopted().empty());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::post, "/v2/images").empty());
  ASSERT_EQ(boot(id, "cloudlet-2").status, 202u) << "on a cloudlet that holds it: its own";
  EXPECT_EQ(booted_images("cloudlet-2"), (std::vector<std::string>{id}));
}

TEST_F(DirectImageFlow, WhileItsHolderIsDownOnlyTheImagesProjectBootsFromACopyAndNotOnceItIsGone) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  boot(upload, "cloudlet-3");
  auto entry = adopted().at(0);
  auto copy = h.clouds().seed_image("cloudlet-3", h.demo_token(),
                                    {{"name", "mine"}, {std::string(api::copy_of_key), entry.global_id}});
  add_copy(entry, "cloudlet-3", copy);
  h.clouds().set_down("cloudlet-2");
  h.clouds().clear_log();
  ASSERT_EQ(boot(upload, "cloudlet-3").status, 202u);
  EXPECT_EQ(booted_images("cloudlet-3"), (std::vector<std::string>{copy})) << "demo's own image, from its copy";
  // The admin is another project: only the holder could say it may, and it cannot answer.
  h.clouds().clear_log();
  boot(upload, "cloudlet-3", h.admin_token());
  for (const auto& ref : booted_images("cloudlet-3")) EXPECT_NE(ref, copy);
  // Deleted on its cloud (the holder answers 404): no copy stands in for it.
  h.clouds().set_down("cloudlet-2", false);
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::image, bhttp::verb::delete_, "/v2/images/" + upload,
                              h.demo_token()).status, 204u);
  h.clouds().clear_log();
  boot(upload, "cloudlet-3");
  for (const auto& ref : booted_images("cloudlet-3")) EXPECT_NE(ref, copy);
}

// --- calls about a cloud ID: to the cloudlet that holds it, as the caller ---

TEST_F(DirectImageFlow, ShowAndDeleteOfACloudIdGoToItsHolderWhichAloneDecides) {
  auto cirros = operator_image("cloudlet-2");
  auto shown = h.send(bhttp::verb::get, "/image/v2/images/" + cirros);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("id"), cirros);
  auto refused = h.send(bhttp::verb::delete_, "/image/v2/images/" + cirros);
  EXPECT_EQ(refused.status, 403u) << "Glance's answer to demo: " << refused.body;
  EXPECT_FALSE(image_on("cloudlet-2", cirros).is_null()) << "the operator's image stays";
}

TEST_F(DirectImageFlow, DeletingAnAdoptedImageByItsOwnerRemovesTheFederationsCopiesAfterIt) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  boot(upload, "cloudlet-3");
  auto entry = adopted().at(0);
  auto copy = h.clouds().seed_image("cloudlet-3", h.demo_token(),
                                    {{"name", "mine"}, {std::string(api::copy_of_key), entry.global_id}});
  add_copy(entry, "cloudlet-3", copy);
  // Demo's DELETE of its upload's cloud ID through the agent, as demo, at the holder.
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/" + upload);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(image_on("cloudlet-2", upload).is_null()) << "demo deleted its own upload";
  EXPECT_TRUE(image_on("cloudlet-3", copy).is_null()) << "and the federation's copy went with it";
  EXPECT_TRUE(adopted().empty()) << "the entry is forgotten";
}

TEST_F(DirectImageFlow, TheGlobalIdOfAnAdoptedImageNamesOnlyTheFederationsCopiesNeverTheImage) {
  auto cirros = operator_image("cloudlet-2");
  boot(cirros, "cloudlet-3");   // demo's boot adopts the operator's image
  auto entry = adopted().at(0);
  EXPECT_EQ(entry.project_id, admin_project());
  auto copy = h.clouds().seed_image("cloudlet-3", h.admin_token(),
                                    {{"name", "cirros"}, {"visibility", "public"},
                                     {std::string(api::copy_of_key), entry.global_id}});
  add_copy(entry, "cloudlet-3", copy);
  // Demo's DELETE of the global ID a server on the copy shows: the copy's Glance refuses demo.
  auto refused = h.send(bhttp::verb::delete_, "/image/v2/images/" + entry.global_id);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_FALSE(image_on("cloudlet-3", copy).is_null());
  // The admin's: the federation's copy and the entry go; the operator's image stays.
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/" + entry.global_id, nullptr, h.admin_token());
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(image_on("cloudlet-3", copy).is_null());
  EXPECT_FALSE(image_on("cloudlet-2", cirros).is_null()) << "never reached through the registry";
  for (const auto& call : h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2/images"))
    ADD_FAILURE() << "a DELETE reached the operator's image: " << call.target;
  EXPECT_TRUE(adopted().empty());
}

} // namespace
} // namespace fedstack::agent::testing
