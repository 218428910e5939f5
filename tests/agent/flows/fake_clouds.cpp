#include "tests/agent/flows/fake_clouds.hpp"

#include <algorithm>
#include <stdexcept>

#include "agent/services/token_cache.hpp"
#include "sim/cinder.hpp"
#include "sim/cloudlet.hpp"
#include "sim/glance.hpp"
#include "sim/identity.hpp"
#include "sim/keystone.hpp"
#include "sim/neutron.hpp"
#include "sim/nova.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;

http::endpoint endpoint_at(const std::string& url) {
  auto parsed = http::parse_endpoint(url);
  if (!parsed) throw std::logic_error("bad fake endpoint " + url);
  return *parsed;
}

bool same_endpoint(const http::endpoint& a, const http::endpoint& b) {
  return a.host == b.host && a.port == b.port;
}

/// `path` is `prefix` or lies below it.
bool is_below(const std::string& path, const std::string& prefix) {
  if (prefix.empty() || path == prefix) return true;
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '/';
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

} // namespace

struct fake_clouds::cloud {
  cloud(const std::string& region, const std::filesystem::path& data_dir, sim::compute_options compute,
        sim::identity& ids)
    // Volumes are available at once, as servers are ACTIVE: the flows never wait.
    : state(region, data_dir, compute, sim::system_clock_fn(), sim::volume_options{std::chrono::milliseconds{0}, 1000}),
      glance(ids, state), neutron(ids, state), nova(ids, state), cinder(ids, state) {}
  sim::cloudlet state;
  sim::glance_api glance;
  sim::neutron_api neutron;
  sim::nova_api nova;
  sim::cinder_api cinder;
};

std::string fake_clouds::region(int index) { return "cloudlet-" + std::to_string(index + 1); }

fake_clouds::fake_clouds(fake_clouds_options options)
  : data_dir_(std::filesystem::temp_directory_path() / ("fedstack-flow-test-" + sim::new_hex_id().substr(0, 12))),
    ids_(std::make_unique<sim::identity>(sim::identity_options{}, sim::system_clock_fn())),
    keystone_(std::make_unique<sim::keystone_api>(*ids_)), overlap_calls_(options.overlap_calls) {
  // Servers are ACTIVE at once unless a test asks for a build: the flows never wait for one.
  sim::compute_options compute{options.build_delay, 1, options.hypervisor_ram_mb,
                               options.hypervisor_disk_gb, options.hypervisor_vcpus};
  sim::sim_endpoints urls;
  urls.keystone_url = "http://keystone.test:5000";
  keystone_->set_base_url(urls.keystone_url);
  for (int i = 0; i < std::max(options.cloudlets, 1); ++i) {
    auto name = region(i);
    auto capacity = compute;
    if (std::find(options.without_capacity.begin(), options.without_capacity.end(), name) !=
        options.without_capacity.end())
      capacity.hypervisor_ram_mb = capacity.hypervisor_disk_gb = capacity.hypervisor_vcpus = 0;
    auto c = std::make_unique<cloud>(name, data_dir_, capacity, *ids_);
    fake_cloudlet_info info;
    info.region = name;
    info.endpoints.region = name;
    info.endpoints.image = endpoint_at("http://image." + name + ":9292");
    info.endpoints.network = endpoint_at("http://network." + name + ":9696");
    info.endpoints.compute = endpoint_at("http://compute." + name + ":8774");
    info.endpoints.volume = endpoint_at("http://volume." + name + ":8776");
    c->glance.set_base_url(info.endpoints.image.to_string());
    c->neutron.set_base_url(info.endpoints.network.to_string());
    c->nova.set_base_url(info.endpoints.compute.to_string());
    c->nova.set_image_url(info.endpoints.image.to_string());
    c->cinder.set_base_url(info.endpoints.volume.to_string());
    urls.cloudlets.push_back({name, info.endpoints.image.to_string(), info.endpoints.network.to_string(),
                              info.endpoints.compute.to_string() + "/v2.1", info.endpoints.volume.to_string()});
    cloudlets_.push_back(std::move(info));
    clouds_.push_back(std::move(c));
  }
  ids_->set_endpoints(urls);
}

fake_clouds::~fake_clouds() {
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

const cloudlet_endpoints& fake_clouds::endpoints(const std::string& name) const {
  for (const auto& c : cloudlets_)
    if (c.region == name) return c.endpoints;
  throw std::logic_error("no fake cloudlet " + name);
}

std::vector<cloudlet_endpoints> fake_clouds::all_endpoints() const {
  std::vector<cloudlet_endpoints> out;
  for (const auto& c : cloudlets_) out.push_back(c.endpoints);
  return out;
}

http::endpoint fake_clouds::keystone() const { return endpoint_at("http://keystone.test:5000"); }

fake_clouds::cloud& fake_clouds::cloud_of(const std::string& name) {
  for (std::size_t i = 0; i < cloudlets_.size(); ++i)
    if (cloudlets_[i].region == name) return *clouds_[i];
  throw std::logic_error("no fake cloudlet " + name);
}

std::optional<fake_clouds::route> fake_clouds::route_of(const http::endpoint& to) {
  if (same_endpoint(to, keystone())) return route{"keystone", api::service_type::identity, keystone_.get()};
  for (std::size_t i = 0; i < cloudlets_.size(); ++i) {
    const auto& e = cloudlets_[i].endpoints;
    auto& c = *clouds_[i];
    if (same_endpoint(to, e.image)) return route{e.region, api::service_type::image, &c.glance};
    if (same_endpoint(to, e.network)) return route{e.region, api::service_type::network, &c.neutron};
    if (same_endpoint(to, e.compute)) return route{e.region, api::service_type::compute, &c.nova};
    if (same_endpoint(to, e.volume)) return route{e.region, api::service_type::volume, &c.cinder};
  }
  return std::nullopt;
}

std::optional<fault> fake_clouds::take_fault(const std::string& name, api::service_type service, bhttp::verb method,
                                             const std::string& path) {
  for (auto& f : faults_) {
    if (f.times == 0) continue;
    if (!f.cloudlet.empty() && f.cloudlet != name) continue;
    if (f.service != api::service_type::none && f.service != service) continue;
    if (f.method && *f.method != method) continue;
    if (f.exact_path ? path != f.path : !is_below(path, f.path)) continue;
    if (f.times > 0) --f.times;
    return f;
  }
  return std::nullopt;
}

http::awaitable<http::response> fake_clouds::call(const http::endpoint& to, bhttp::verb method,
                                                  const std::string& target, const bhttp::fields& client_headers,
                                                  std::string body, std::chrono::milliseconds,
                                                  http::connection_pool*, std::string_view request_id) {
  auto where = route_of(to);
  if (!where) throw upstream_failure(503, "no fake cloud at " + to.to_string());
  logged_call entry{where->cloudlet, where->service, method, to.base_path + target, body, 0, false, in_flight_};
  struct in_flight_guard {
    int& n;
    ~in_flight_guard() { --n; }
  } guard{++in_flight_};
  if (overlap_calls_) {
    http::asio::steady_timer yield{co_await http::asio::this_coro::executor};
    yield.expires_after(std::chrono::milliseconds{0});
    co_await yield.async_wait(http::use_awaitable);
  }
  auto path = path_of(entry.target);
  std::optional<fault> hit;
  if (std::find(down_.begin(), down_.end(), where->cloudlet) != down_.end())
    hit = fault{where->cloudlet, where->service, method, path, true, fault_effect::unreachable, 503, -1};
  else
    hit = take_fault(where->cloudlet, where->service, method, path);

  auto throw_failure = [&](unsigned status) {
    log_.push_back(entry);
    throw upstream_failure(status, "The upstream service at " + to.to_string() +
                                     (status == 504 ? " did not answer in time." : " is unavailable."));
  };
  if (hit && hit->effect == fault_effect::no_answer) throw_failure(504);
  if (hit && hit->effect == fault_effect::unreachable) throw_failure(503);

  sim::reply reply;
  if (hit && hit->effect == fault_effect::answer) {
    reply = where->handler->error_reply(hit->status, "A fault the test scripted.");
  } else {
    sim::header_map headers;
    bhttp::fields copied;
    copy_request_headers(client_headers, copied);
    for (const auto& field : copied) headers[std::string(field.name_string())] = std::string(field.value());
    if (!request_id.empty()) headers["X-Openstack-Request-Id"] = std::string(request_id);
    reply = where->handler->handle(
      sim::make_request(std::string(bhttp::to_string(method)), entry.target, std::move(body), std::move(headers)));
    entry.handled = true;
    if (hit && hit->effect == fault_effect::no_answer_after_making) throw_failure(504);
    if (hit && hit->effect == fault_effect::answer_after_making)
      reply = where->handler->error_reply(hit->status, "A fault the test scripted, after the cloud made it.");
  }
  entry.status = reply.status;
  log_.push_back(entry);
  http::response answer;
  answer.status = reply.status;
  for (const auto& [name, value] : reply.headers) answer.headers.insert(name, value);
  answer.body = std::move(reply.body);
  co_return answer;
}

void fake_clouds::add_fault(fault f) { faults_.push_back(std::move(f)); }

void fake_clouds::set_down(const std::string& name, bool down) {
  std::erase(down_, name);
  if (down) down_.push_back(name);
}

void fake_clouds::clear_faults() {
  faults_.clear();
  down_.clear();
}

std::vector<logged_call> fake_clouds::calls_to(const std::string& name, bhttp::verb method,
                                               const std::string& path) const {
  std::vector<logged_call> out;
  for (const auto& c : log_)
    if ((name.empty() || c.cloudlet == name) && c.method == method && is_below(path_of(c.target), path))
      out.push_back(c);
  return out;
}

namespace {

json token_request(const std::string& user, const std::string& password) {
  return json{{"auth",
               {{"identity",
                 {{"methods", {"password"}},
                  {"password", {{"user", {{"name", user}, {"domain", {{"name", "Default"}}}, {"password", password}}}}}}},
                {"scope", {{"project", {{"name", user}, {"domain", {{"id", "default"}}}}}}}}}};
}

} // namespace

std::string fake_clouds::admin_token() {
  auto out = keystone_->handle(sim::make_request("POST", "/v3/auth/tokens", token_request("admin", "secret").dump()));
  return out.headers["X-Subject-Token"];
}

std::string fake_clouds::demo_token() {
  auto out = keystone_->handle(sim::make_request("POST", "/v3/auth/tokens", token_request("demo", "demo").dump()));
  return out.headers["X-Subject-Token"];
}

token_identity fake_clouds::identity_of(const std::string& token) const {
  auto ctx = ids_->validate(token);
  if (!ctx) throw std::logic_error("the fake Keystone does not know this token");
  token_identity out;
  out.user_id = ctx->user_id;
  out.project_id = ctx->project_id;
  out.expires_at = ctx->expires_at;
  out.is_admin = ctx->is_admin;
  return out;
}

std::string fake_clouds::admin_project_id() const { return ids_->admin_project_id(); }
std::string fake_clouds::demo_project_id() const { return ids_->demo_project_id(); }

http::response fake_clouds::direct(const std::string& name, api::service_type service, bhttp::verb method,
                                   const std::string& target, const std::string& token, const json& body,
                                   const std::string& volume_version) {
  auto& c = cloud_of(name);
  sim::service* handler = service == api::service_type::image     ? static_cast<sim::service*>(&c.glance)
                          : service == api::service_type::network ? static_cast<sim::service*>(&c.neutron)
                          : service == api::service_type::volume  ? static_cast<sim::service*>(&c.cinder)
                                                                  : static_cast<sim::service*>(&c.nova);
  sim::header_map headers;
  headers["X-Auth-Token"] = token;
  headers["Content-Type"] = method == bhttp::verb::patch ? "application/openstack-images-v2.1-json-patch"
                                                         : "application/json";
  if (service == api::service_type::compute) headers["OpenStack-API-Version"] = "compute 2.93";
  if (service == api::service_type::volume && !volume_version.empty())
    headers["OpenStack-API-Version"] = "volume " + volume_version;
  auto reply = handler->handle(sim::make_request(std::string(bhttp::to_string(method)), target,
                                                 body.is_null() ? std::string{} : body.dump(), std::move(headers)));
  http::response out;
  out.status = reply.status;
  for (const auto& [key, value] : reply.headers) out.headers.insert(key, value);
  out.body = std::move(reply.body);
  return out;
}

json fake_clouds::items(const std::string& name, const std::string& collection) {
  auto token = admin_token();
  http::response listed;
  if (collection == "images")
    listed = direct(name, api::service_type::image, bhttp::verb::get, "/v2/images?limit=1000&member_status=all",
                    token);
  else if (collection == "servers")
    listed = direct(name, api::service_type::compute, bhttp::verb::get, "/v2.1/servers/detail?all_tenants=1", token);
  else
    listed = direct(name, api::service_type::network, bhttp::verb::get, "/v2.0/" + collection, token);
  if (listed.status != 200) throw std::logic_error("listing " + collection + " on " + name + ": " + listed.body);
  return json::parse(listed.body).at(collection);
}

std::string fake_clouds::seed_image(const std::string& name, const std::string& token, json fields) {
  if (!fields.contains("disk_format")) fields["disk_format"] = "qcow2";
  if (!fields.contains("container_format")) fields["container_format"] = "bare";
  auto made = direct(name, api::service_type::image, bhttp::verb::post, "/v2/images", token, fields);
  if (made.status != 201) throw std::logic_error("seeding an image on " + name + ": " + made.body);
  auto id = json::parse(made.body).at("id").get<std::string>();
  auto& c = cloud_of(name);
  sim::header_map headers;
  headers["X-Auth-Token"] = token;
  headers["Content-Type"] = "application/octet-stream";
  auto uploaded = c.glance.handle(sim::make_request("PUT", "/v2/images/" + id + "/file", "image bytes", headers));
  if (uploaded.status != 204) throw std::logic_error("uploading a seeded image on " + name + ": " + uploaded.body);
  return id;
}

} // namespace fedstack::agent::testing
