// Nova's lifecycle actions past the build (Compute API reference, "Servers -
// run an action"): resize and its confirm or revert, rebuild, createImage
// (a snapshot made in this cloudlet's Glance), shelve, shelveOffload and
// unshelve; and the server tags API (2.26+, "Server tags"). States follow
// Nova's: resize leaves VERIFY_RESIZE (vm_state resized) until confirmed or
// reverted; shelve offloads at once (Nova's default shelved_offload_time 0),
// leaving SHELVED_OFFLOADED and a snapshot "<name>-shelved" that unshelve deletes.
#include <algorithm>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for this resource.";

std::string last_segment(const json& ref) {
  std::string text = ref.is_string() ? ref.get<std::string>()
                                     : (ref.is_number_integer() ? std::to_string(ref.get<std::int64_t>()) : "");
  auto slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

/// Nova's tag rules: at most 60 characters, no '/' or ','.
bool valid_tag(const json& tag) {
  if (!tag.is_string()) return false;
  const auto& text = tag.get_ref<const std::string&>();
  return !text.empty() && text.size() <= 60 && text.find_first_of("/,") == std::string::npos;
}

constexpr std::size_t max_tags = 50;

} // namespace

std::optional<reply> nova_api::lifecycle_action(const call& c, server_record& s, const std::string& action,
                                                const json& args) {
  auto& compute = cloud_.compute;
  auto status = compute.status(s);
  auto refuse = [&](std::string_view verb) {
    return error(409, "Cannot '" + std::string{verb} + "' instance " + s.id + " while it is in vm_state " +
                        compute.vm_state(s));
  };
  auto touch = [&] { s.updated_at = compute.now(); };
  if (action == "resize") {
    if (!args.is_object() || !args.contains("flavorRef")) return error(400, "Invalid input for field/attribute resize.");
    if (status != "ACTIVE" && status != "SHUTOFF") return refuse("resize");
    const auto* flavor = compute.find_flavor(c.ctx, last_segment(args["flavorRef"]));
    if (!flavor) return error(400, "Unable to locate requested flavor.");
    if (flavor->id == s.flavor.id) return error(400, "When resizing, instances must change flavor!");
    s.old_flavor = s.flavor;
    compute.set_flavor(s, *flavor);
    s.lifecycle = "VERIFY_RESIZE";
    touch();
    return empty_reply(202);
  }
  if (action == "confirmResize" || action == "revertResize") {
    if (status != "VERIFY_RESIZE") return refuse(action);
    if (action == "revertResize" && s.old_flavor) compute.set_flavor(s, *s.old_flavor);
    s.old_flavor.reset();
    s.lifecycle.clear();
    touch();
    return empty_reply(action == "confirmResize" ? 204 : 202);
  }
  if (action == "rebuild") {
    if (!args.is_object() || !args.contains("imageRef")) return error(400, "Invalid input for field/attribute rebuild.");
    if (status != "ACTIVE" && status != "SHUTOFF" && status != "ERROR") return refuse("rebuild");
    auto image_id = last_segment(args["imageRef"]);
    const auto* image = cloud_.images.find(c.ctx, image_id);
    if (!image || image->status != "active") return error(400, "Cannot find requested image " + image_id + ": Image " + image_id + " could not be found.");
    // 2.54+: a rebuild may set the key; Nova looks it up among the user's (servers.py, _action_rebuild).
    if (c.at_least(54) && args.contains("key_name") && args["key_name"].is_string()) {
      auto user = keypairs_.find(c.ctx.user_id);
      if (user == keypairs_.end() || !user->second.count(args["key_name"].get<std::string>()))
        return error(400, "Invalid key_name provided.");
      s.key_name = args["key_name"].get<std::string>();
    }
    s.image_id = image->id;
    if (args.contains("name") && args["name"].is_string()) s.name = args["name"];
    if (args.contains("metadata") && args["metadata"].is_object()) s.metadata = args["metadata"];
    touch();
    auto out = server_show_json(s, c);
    out["adminPass"] = s.admin_pass;
    return json_reply(202, {{"server", out}});
  }
  if (action == "createImage") {
    if (!args.is_object() || !args.contains("name") || !args["name"].is_string())
      return error(400, "Invalid input for field/attribute createImage.");
    if (status != "ACTIVE" && status != "SHUTOFF") return refuse("createImage");
    if (args.contains("metadata") && !args["metadata"].is_object())
      return error(400, "Invalid input for field/attribute metadata.");
    // Nova's snapshot keeps the base image's properties (its image_* system
    // metadata) and adds its own; the body's metadata wins.
    image_record image;
    const auto* base = cloud_.images.find(c.ctx, s.image_id);
    if (base) {
      image.properties = base->properties;
      image.disk_format = base->disk_format;
      image.container_format = base->container_format;
      image.min_ram = base->min_ram;
      image.min_disk = base->min_disk;
    }
    image.name = args["name"].get<std::string>();
    image.owner = s.project_id;
    image.visibility = "private";
    image.properties["image_type"] = "snapshot";
    image.properties["instance_uuid"] = s.id;
    image.properties["base_image_ref"] = s.image_id;
    image.properties["user_id"] = c.ctx.user_id;
    if (args.contains("metadata"))
      for (const auto& [k, v] : args["metadata"].items())
        if (v.is_string()) image.properties[k] = v;
    const auto& made = cloud_.images.add_made(std::move(image), s.image_id);
    if (c.at_least(45)) return json_reply(202, {{"image_id", made.id}});
    auto out = empty_reply(202);
    out.headers["Location"] = image_url_ + "/images/" + made.id;
    return out;
  }
  if (action == "shelve") {
    if (status != "ACTIVE" && status != "SHUTOFF") return refuse("shelve");
    image_record image;
    if (const auto* base = cloud_.images.find(c.ctx, s.image_id)) {
      image.properties = base->properties;
      image.disk_format = base->disk_format;
      image.container_format = base->container_format;
    }
    image.name = s.name + "-shelved";
    image.owner = s.project_id;
    image.visibility = "private";
    image.properties["image_type"] = "snapshot";
    image.properties["instance_uuid"] = s.id;
    image.properties["base_image_ref"] = s.image_id;
    s.shelved_image_id = cloud_.images.add_made(std::move(image), s.image_id).id;
    s.lifecycle = "SHELVED_OFFLOADED";
    touch();
    return empty_reply(202);
  }
  if (action == "shelveOffload") {
    // Shelving offloads at once here, so nothing is ever left merely SHELVED.
    return refuse("shelveOffload");
  }
  if (action == "unshelve") {
    if (status != "SHELVED_OFFLOADED") return refuse("unshelve");
    if (args.is_object() && args.contains("availability_zone")) {
      if (!c.at_least(77)) return error(400, "Invalid input for field/attribute unshelve.");
      const auto& zone = args["availability_zone"];
      if (!zone.is_null() && zone != compute.region())
        return error(400, "The requested availability zone is not available");
    } else if (!args.is_null() && !(args.is_object() && args.empty())) {
      return error(400, "Invalid input for field/attribute unshelve.");
    }
    if (!s.shelved_image_id.empty()) {
      auth_context owner = c.ctx;
      owner.is_admin = true;   // Nova deletes its own snapshot
      cloud_.images.remove(owner, s.shelved_image_id);
      s.shelved_image_id.clear();
    }
    s.lifecycle.clear();
    s.stopped = false;
    touch();
    return empty_reply(202);
  }
  return std::nullopt;
}

reply nova_api::server_tags(const call& c, const std::string& id) {
  if (!c.at_least(26)) return error(404, "The resource could not be found.");
  std::lock_guard lock{cloud_.mutex};
  auto* s = cloud_.compute.server_mutable(c.ctx, id);
  if (!s) return error(404, "Instance " + id + " could not be found.");
  const auto& p = c.path;
  const auto& method = c.r.method;
  auto& tags = s->tags;
  if (p.size() == 3) {
    if (method == "GET") return json_reply(200, {{"tags", tags}});
    if (method == "DELETE") {
      tags.clear();
      return empty_reply(204);
    }
    if (method != "PUT") return error(405, not_allowed);
    auto body = parse_json(c.r);
    if (!body || !body->is_object() || !body->contains("tags") || !(*body)["tags"].is_array())
      return error(400, "Invalid input for field/attribute tags.");
    std::vector<std::string> given;
    for (const auto& t : (*body)["tags"]) {
      if (!valid_tag(t)) return error(400, "Invalid input for field/attribute tags. Value: " + t.dump());
      if (std::find(given.begin(), given.end(), t.get<std::string>()) == given.end()) given.push_back(t);
    }
    if (given.size() > max_tags) return error(400, "The number of tags exceeded the per-server limit 50");
    tags = std::move(given);
    return json_reply(200, {{"tags", tags}});
  }
  if (p.size() != 4) return error(404, "The resource could not be found.");
  const auto& tag = p[3];
  auto at = std::find(tags.begin(), tags.end(), tag);
  if (method == "GET") return at == tags.end() ? error(404, "Tag " + tag + " could not be found.") : empty_reply(204);
  if (method == "DELETE") {
    if (at == tags.end()) return error(404, "Tag " + tag + " could not be found.");
    tags.erase(at);
    return empty_reply(204);
  }
  if (method != "PUT") return error(405, not_allowed);
  if (at != tags.end()) return empty_reply(204);
  if (!valid_tag(tag)) return error(400, "Tag '" + tag + "' is invalid.");
  if (tags.size() >= max_tags) return error(400, "The number of tags exceeded the per-server limit 50");
  tags.push_back(tag);
  auto out = empty_reply(201);
  out.headers["Location"] = base_url_ + "/v2.1/servers/" + id + "/tags/" + tag;
  return out;
}

} // namespace fedstack::sim
