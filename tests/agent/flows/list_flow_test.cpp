// Lists through the agent's handler against three fake clouds and a fake
// registry (flow_harness.hpp): one merged list under global IDs, paged by the
// client's limit and marker across the clouds, with a cloud down or slow.

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "api/list_merge.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

std::vector<std::string> strings_of(const std::vector<json>& items, const char* field) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.at(field).get<std::string>());
  return out;
}

/// The query of a next link, relative (Glance) or absolute (Nova, Neutron).
std::string query_of(const std::string& link) {
  auto q = link.find('?');
  return q == std::string::npos ? std::string{} : link.substr(q + 1);
}

class ListFlow : public ::testing::Test {
protected:
  flow_harness h;

  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// The ID in a cloud's answer to a create ({"id"} or {"<kind>": {"id"}}).
  static std::string made_id(const http::response& made, const char* kind) {
    auto doc = json::parse(made.body);
    return doc.contains(kind) ? doc[kind].at("id").get<std::string>() : doc.at("id").get<std::string>();
  }

  /// An image made on `region` by the demo user (with `extra` fields), not recorded: its cloud ID.
  std::string image_on(const std::string& region, const std::string& name, json extra = json::object()) {
    json body{{"name", name}, {"disk_format", "qcow2"}, {"container_format", "bare"}};
    body.update(extra);
    auto made = h.clouds().direct(region, api::service_type::image, bhttp::verb::post, "/v2/images",
                                  h.demo_token(), body);
    EXPECT_EQ(made.status, 201u) << made.body;
    return made_id(made, "image");
  }

  /// A resource recorded as the federation's, its primary `local` on `region`: its global ID.
  std::string record(resource_kind kind, const std::string& region, const std::string& local) {
    return h.record(kind, demo_project(), {{region, local}}).global_id;
  }

  std::string federated_image(const std::string& region, const std::string& name) {
    return record(resource_kind::image, region, image_on(region, name));
  }

  captured_response get(const std::string& target) { return h.send(bhttp::verb::get, target); }

  /// Every page of a list from `path?query`, following the next links to the
  /// end; the items of every page, in order.
  std::vector<json> walk(const std::string& path, std::string query, const std::string& collection,
                         std::size_t page_size, int* pages = nullptr) {
    std::vector<json> items;
    for (int page = 1;; ++page) {
      if (page > 100) {
        ADD_FAILURE() << "the pages do not end";
        break;
      }
      auto answer = get(path + (query.empty() ? "" : "?" + query));
      EXPECT_EQ(answer.status, 200u) << answer.body;
      if (answer.status != 200) break;
      auto body = json::parse(answer.body);
      auto& page_items = body.at(collection);
      EXPECT_LE(page_items.size(), page_size);
      items.insert(items.end(), page_items.begin(), page_items.end());
      if (pages) *pages = page;
      std::string next;
      if (body.contains("next")) next = body["next"].get<std::string>();   // Glance
      if (body.contains(collection + "_links"))
        for (const auto& link : body[collection + "_links"])
          if (link.value("rel", "") == "next") next = link.at("href").get<std::string>();
      if (next.empty()) break;
      query = query_of(next);
    }
    return items;
  }
};

TEST_F(ListFlow, ImagesOfThreeCloudsAreMergedByNameUnderGlobalIds) {
  std::map<std::string, std::string> by_name{
      {"delta", federated_image("cloudlet-1", "delta")},   {"alpha", federated_image("cloudlet-1", "alpha")},
      {"charlie", federated_image("cloudlet-2", "charlie")}, {"echo", federated_image("cloudlet-2", "echo")},
      {"bravo", federated_image("cloudlet-3", "bravo")}};
  auto answer = get("/image/v2/images?sort_key=name&sort_dir=asc");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto images = json::parse(answer.body).at("images").get<std::vector<json>>();
  EXPECT_EQ(strings_of(images, "name"), (std::vector<std::string>{"alpha", "bravo", "charlie", "delta", "echo"}));
  for (const auto& image : images)
    EXPECT_EQ(image.at("id"), by_name.at(image.at("name").get<std::string>())) << "the client sees global IDs";
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "");
  EXPECT_FALSE(json::parse(answer.body).contains("next")) << "one page holds them all";
  // Each cloud was asked once, for the page and one more (Glance's default 25).
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto calls = h.clouds().calls_to(region, bhttp::verb::get, "/v2/images");
    ASSERT_EQ(calls.size(), 1u) << region;
    EXPECT_NE(calls[0].target.find("limit=26"), std::string::npos) << calls[0].target;
    EXPECT_EQ(calls[0].target.find("marker="), std::string::npos) << "a cloud is read from its start";
  }
}

TEST_F(ListFlow, PagesWithLimitAndMarkerAcrossCloudsSkipAndRepeatNothing) {
  // A long group of images tied on name (and mostly on created_at, to the
  // second) straddles the clouds' pages; ties go by cloudlet, then in each
  // cloud's own order.
  std::set<std::string> all;
  std::map<std::string, std::string> region_of;
  auto add = [&](const char* region, const char* name) {
    auto id = federated_image(region, name);
    all.insert(id);
    region_of[id] = region;
  };
  for (int i = 0; i < 5; ++i) add("cloudlet-1", "same");
  for (int i = 0; i < 3; ++i) add("cloudlet-2", "same");
  add("cloudlet-2", "zulu");
  add("cloudlet-3", "able");
  for (int i = 0; i < 2; ++i) add("cloudlet-3", "same");
  const std::string query = "sort_key=name&sort_dir=asc";
  auto sort = api::parse_list_sort(api::service_type::image, "images", query);
  sort.keys.pop_back();   // the merge's keys: ties are not ordered by global IDs
  for (std::size_t limit : {1u, 2u, 3u, 5u}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    int pages = 0;
    auto items = walk("/image/v2/images", query + "&limit=" + std::to_string(limit), "images", limit, &pages);
    auto ids = strings_of(items, "id");
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), all) << "every image is listed";
    EXPECT_EQ(ids.size(), all.size()) << "no image is listed twice";
    EXPECT_TRUE(std::is_sorted(items.begin(), items.end(),
                               [&](const json& a, const json& b) { return api::compare_items(a, b, sort.keys) < 0; }))
      << "in the list's order across pages";
    std::vector<std::string> regions;
    for (const auto& id : ids) regions.push_back(region_of[id]);
    EXPECT_TRUE(std::is_sorted(regions.begin() + 1, regions.end() - 1)) << "ties go by cloudlet";
    EXPECT_EQ(items.front().at("name"), "able");
    EXPECT_EQ(items.back().at("name"), "zulu");
    EXPECT_GE(pages, static_cast<int>((all.size() + limit - 1) / limit));
  }
}

TEST_F(ListFlow, ThePageAfterAMarkerAsksTheMarkersCloudFromItsOwnId) {
  std::map<std::string, std::pair<std::string, std::string>> where;   // global -> region, cloud ID
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-2", "cloudlet-2", "cloudlet-3", "cloudlet-3"}) {
    auto local = image_on(region, "same");
    where[record(resource_kind::image, region, local)] = {region, local};
  }
  auto first = get("/image/v2/images?sort_key=name&sort_dir=asc&limit=2");
  ASSERT_EQ(first.status, 200u) << first.body;
  auto body = json::parse(first.body);
  ASSERT_TRUE(body.contains("next")) << first.body;
  auto [region, local] = where.at(body.at("images").at(1).at("id").get<std::string>());
  // The list calls a cloud got (the marker's own read is a GET of the image).
  auto lists = [&](const char* c) {
    std::vector<std::string> out;
    for (const auto& call : h.clouds().calls_to(c, bhttp::verb::get, "/v2/images"))
      if (call.target.rfind("/v2/images?", 0) == 0) out.push_back(call.target);
    return out;
  };
  std::map<std::string, std::size_t> before;
  for (const char* c : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) before[c] = lists(c).size();
  auto second = get("/image/v2/images?" + query_of(body["next"].get<std::string>()));
  ASSERT_EQ(second.status, 200u) << second.body;
  for (const char* c : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto calls = lists(c);
    ASSERT_EQ(calls.size(), before[c] + 1) << c << ": one call, the page and one more";
    const auto& target = calls.back();
    EXPECT_NE(target.find("limit=3"), std::string::npos) << target;
    if (c == region)
      EXPECT_NE(target.find("marker=" + local), std::string::npos) << "the marker's own cloud: " << target;
    else
      EXPECT_EQ(target.find("marker="), std::string::npos) << c << " is read from its start: " << target;
  }
  EXPECT_EQ(json::parse(second.body).at("images").size(), 2u);
}

TEST_F(ListFlow, ACloudDownLeavesTheOthersItemsAndIsNamed) {
  auto one = federated_image("cloudlet-1", "one");
  federated_image("cloudlet-2", "two");
  auto three = federated_image("cloudlet-3", "three");
  h.clouds().set_down("cloudlet-2");
  auto answer = get("/image/v2/images?sort_key=name&sort_dir=asc");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto images = json::parse(answer.body).at("images").get<std::vector<json>>();
  EXPECT_EQ(strings_of(images, "id"), (std::vector<std::string>{one, three}));
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "cloudlet-2");

  h.clouds().set_down("cloudlet-3");
  answer = get("/image/v2/images");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(strings_of(json::parse(answer.body).at("images").get<std::vector<json>>(), "id"),
            (std::vector<std::string>{one}));
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "cloudlet-2,cloudlet-3");
}

TEST_F(ListFlow, NoCloudAnsweringIs503OrWhenAllTimedOut504) {
  federated_image("cloudlet-1", "one");
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) h.clouds().set_down(region);
  auto answer = get("/image/v2/images");
  EXPECT_EQ(answer.status, 503u) << answer.body;
  EXPECT_NE(answer.body.find("No cloudlet could answer the list."), std::string::npos) << answer.body;

  h.clouds().clear_faults();
  // Every cloud (region "": any) leaves every list call unanswered.
  h.clouds().add_fault(call_fault("", bhttp::verb::get, "/v2/images", fault_effect::no_answer, 504, -1));
  answer = get("/image/v2/images");
  EXPECT_EQ(answer.status, 504u) << answer.body;
  EXPECT_NE(answer.body.find("No cloudlet answered the list in time."), std::string::npos) << answer.body;
}

TEST_F(ListFlow, ACopyMadeForABootIsNeverListed) {
  auto primary_local = image_on("cloudlet-1", "base");
  auto entry = h.record(resource_kind::image, demo_project(), {{"cloudlet-1", primary_local}}, "base");
  // The copy on cloudlet-2 carries the copy-of marker, and the entry lists it.
  // Named to sort first here, so that it would show if it were listed at all
  // (the merge keeps one item per global ID: the first).
  auto copy_local = image_on("cloudlet-2", "a-copy", {{std::string(api::copy_of_key), entry.global_id}});
  entry.copies.push_back({"cloudlet-2", copy_local});
  h.registry().seed(entry);
  auto other = federated_image("cloudlet-3", "other");
  for (std::size_t limit : {1u, 2u, 25u}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    auto items = walk("/image/v2/images", "sort_key=name&sort_dir=asc&limit=" + std::to_string(limit), "images", limit);
    EXPECT_EQ(strings_of(items, "id"), (std::vector<std::string>{entry.global_id, other}));
    EXPECT_EQ(strings_of(items, "name"), (std::vector<std::string>{"base", "other"}));
  }
}

TEST_F(ListFlow, ALimitAboveTheCapIsLowered) {
  // 1001 images on one cloud: a limit of 5000 pages them 1000 at a time.
  for (int i = 0; i < 1001; ++i) image_on("cloudlet-1", "image-" + std::to_string(10000 + i));
  int pages = 0;
  auto items = walk("/image/v2/images", "sort_key=name&sort_dir=asc&limit=5000", "images", 1000, &pages);
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(items.size(), 1001u);
  EXPECT_EQ(items.front().at("name"), "image-10000");
  EXPECT_EQ(items.back().at("name"), "image-11000");
  auto calls = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2/images");
  ASSERT_FALSE(calls.empty());
  EXPECT_NE(calls[0].target.find("limit=1000"), std::string::npos) << "a cloud is never asked for more: "
                                                                     << calls[0].target;
}

TEST_F(ListFlow, AMarkerNoCloudHoldsIs400) {
  federated_image("cloudlet-1", "one");
  auto missing = h.registry().new_global_id();   // owned here, but recorded nowhere
  auto answer = get("/image/v2/images?marker=" + missing);
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_NE(answer.body.find("marker [" + missing + "] not found"), std::string::npos) << answer.body;
}

TEST_F(ListFlow, AFilterOnAResourceWithoutACopyOnACloudletSkipsThatCloud) {
  // A network on cloudlet-2 only: its ports cannot be anywhere else.
  auto net = h.clouds().direct("cloudlet-2", api::service_type::network, bhttp::verb::post, "/v2.0/networks",
                               h.demo_token(), {{"network", {{"name", "only-here"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto net_local = made_id(net, "network");
  auto network = record(resource_kind::network, "cloudlet-2", net_local);
  auto port = h.clouds().direct("cloudlet-2", api::service_type::network, bhttp::verb::post, "/v2.0/ports",
                                h.demo_token(), {{"port", {{"network_id", net_local}, {"name", "p"}}}});
  ASSERT_EQ(port.status, 201u) << port.body;
  auto port_id = record(resource_kind::port, "cloudlet-2", made_id(port, "port"));
  h.clouds().clear_log();
  auto answer = get("/network/v2.0/ports?network_id=" + network);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(strings_of(json::parse(answer.body).at("ports").get<std::vector<json>>(), "id"),
            (std::vector<std::string>{port_id}));
  auto asked = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.0/ports");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_NE(asked[0].target.find("network_id=" + net_local), std::string::npos) << "the filter names the cloud's ID";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::get, "/v2.0/ports").empty());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::get, "/v2.0/ports").empty());
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "") << "a cloud not asked is not unreachable";
}

// ---- servers and ports ---------------------------------------------------------------------

class ListFlowServers : public ListFlow {
protected:
  /// A server booted on `region` by the demo user and recorded: its global ID.
  std::string server_on(const std::string& region, const std::string& name) {
    auto image = h.clouds().seed_image(region, h.demo_token(), {{"name", "boot-" + name}});
    auto flavors = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                     h.demo_token());
    std::string flavor;
    auto listed = json::parse(flavors.body);
    for (const auto& f : listed.at("flavors"))
      if (f.at("name") == "m1.tiny") flavor = f.at("id").get<std::string>();
    json body{{"server", {{"name", name}, {"imageRef", image}, {"flavorRef", flavor}, {"networks", "none"}}}};
    auto made = h.clouds().direct(region, api::service_type::compute, bhttp::verb::post, "/v2.1/servers",
                                  h.demo_token(), body);
    EXPECT_EQ(made.status, 202u) << made.body;
    return record(resource_kind::server, region, made_id(made, "server"));
  }
};

TEST_F(ListFlowServers, ServersDetailIsMergedPagedAndZonedByCloudlet) {
  std::map<std::string, std::string> by_name;
  by_name["s-a"] = server_on("cloudlet-2", "s-a");
  by_name["s-b"] = server_on("cloudlet-1", "s-b");
  by_name["s-c"] = server_on("cloudlet-3", "s-c");
  by_name["s-d"] = server_on("cloudlet-2", "s-d");
  auto items = walk("/compute/v2.1/servers/detail", "sort_key=display_name&sort_dir=asc&limit=2", "servers", 2);
  EXPECT_EQ(strings_of(items, "name"), (std::vector<std::string>{"s-a", "s-b", "s-c", "s-d"}));
  std::map<std::string, std::string> zone_of{{"s-a", "cloudlet-2"}, {"s-b", "cloudlet-1"}, {"s-c", "cloudlet-3"},
                                             {"s-d", "cloudlet-2"}};
  for (const auto& server : items) {
    auto name = server.at("name").get<std::string>();
    EXPECT_EQ(server.at("id"), by_name.at(name));
    EXPECT_EQ(server.at("OS-EXT-AZ:availability_zone"), zone_of.at(name)) << "each cloudlet is a zone";
  }
  // As Nova: a page holding `limit` items links to the next, the last one too.
  auto full = get("/compute/v2.1/servers/detail?sort_key=display_name&sort_dir=asc&limit=4");
  ASSERT_EQ(full.status, 200u) << full.body;
  auto doc = json::parse(full.body);
  ASSERT_EQ(doc.at("servers").size(), 4u);
  ASSERT_TRUE(doc.contains("servers_links")) << full.body;
  EXPECT_NE(doc["servers_links"][0]["href"].get<std::string>().find("marker=" + by_name["s-d"]), std::string::npos);
  auto partial = json::parse(get("/compute/v2.1/servers/detail?limit=5").body);
  EXPECT_FALSE(partial.contains("servers_links")) << "a page short of its limit is the last";
}

TEST_F(ListFlowServers, TheSummaryListReadsDetailsAndShowsIdNameAndLinks) {
  auto id = server_on("cloudlet-3", "only");
  auto answer = get("/compute/v2.1/servers");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto servers = json::parse(answer.body).at("servers");
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].at("id"), id);
  std::set<std::string> keys;
  for (const auto& [key, value] : servers[0].items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "name", "links"}));
  EXPECT_FALSE(h.clouds().calls_to("cloudlet-3", bhttp::verb::get, "/v2.1/servers/detail").empty())
    << "the clouds are asked for details, which carry the sort keys";
}

TEST_F(ListFlow, NeutronPortsAreMergedAndPagedWithGlobalNetworkIds) {
  std::map<std::string, std::string> network_of;   // region -> global network ID
  std::set<std::string> ports;
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto net = h.clouds().direct(region, api::service_type::network, bhttp::verb::post, "/v2.0/networks",
                                 h.demo_token(), {{"network", {{"name", std::string("net-") + region}}}});
    ASSERT_EQ(net.status, 201u) << net.body;
    auto net_local = made_id(net, "network");
    network_of[region] = record(resource_kind::network, region, net_local);
    for (int i = 0; i < 2; ++i) {
      // Names tie across clouds ("port-0", "port-1" on each).
      auto port = h.clouds().direct(region, api::service_type::network, bhttp::verb::post, "/v2.0/ports",
                                    h.demo_token(),
                                    {{"port", {{"network_id", net_local}, {"name", "port-" + std::to_string(i)}}}});
      ASSERT_EQ(port.status, 201u) << port.body;
      ports.insert(record(resource_kind::port, region, made_id(port, "port")));
    }
  }
  auto items = walk("/network/v2.0/ports", "sort_key=name&sort_dir=asc&limit=4", "ports", 4);
  auto ids = strings_of(items, "id");
  EXPECT_EQ(ids.size(), ports.size()) << "no port twice";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), ports);
  EXPECT_EQ(strings_of(items, "name"),
            (std::vector<std::string>{"port-0", "port-0", "port-0", "port-1", "port-1", "port-1"}));
  std::set<std::string> networks;
  for (const auto& port : items) networks.insert(port.at("network_id").get<std::string>());
  EXPECT_EQ(networks, (std::set<std::string>{network_of["cloudlet-1"], network_of["cloudlet-2"],
                                             network_of["cloudlet-3"]}))
    << "the ports name their networks by global IDs";
}

} // namespace
} // namespace fedstack::agent::testing
