// Glance v2 image members (OpenStack Image Service API v2, "Image members"):
// the owner of a shared image (or an admin) adds and removes projects; a
// member sees the image whatever its status, lists it once it accepted, and
// only the member itself changes its status (the owner gets 403, anyone else
// 404).

#include "sim/image_store.hpp"

namespace fedstack::sim {
namespace {

json member_json(const std::string& image_id, const std::string& project, const image_member& m) {
  return {{"created_at", format_time(m.created_at, time_style::seconds_z)},
          {"image_id", image_id},
          {"member_id", project},
          {"schema", "/v2/schemas/member"},
          {"status", m.status},
          {"updated_at", format_time(m.updated_at, time_style::seconds_z)}};
}

api_error no_image(std::string_view id) { return not_found("No image found with ID " + std::string{id}); }

api_error no_member(std::string_view id, std::string_view member) {
  return not_found(std::string{member} + " is not a member of image " + std::string{id});
}

bool owns(const auth_context& ctx, const image_record& image) {
  return ctx.is_admin || image.owner == ctx.project_id;
}

} // namespace

outcome<json> image_store::add_member(const auth_context& ctx, std::string_view id, const json& body) {
  auto* image = find_mutable(ctx, id);
  if (!image) return no_image(id);
  if (!owns(ctx, *image)) return forbidden("You are not permitted to create image members for the image.");
  if (image->visibility != "shared") return forbidden("Only shared images have members.");
  if (!body.is_object() || !body.contains("member") || !body["member"].is_string() ||
      body["member"].get<std::string>().empty())
    return bad_request("Member to be added not specified");
  auto project = body["member"].get<std::string>();
  if (image->members.count(project))
    return conflict("Member " + project + " already exists for image " + image->id);
  image_member m;
  m.created_at = m.updated_at = clock_();
  image->members.emplace(project, m);
  return member_json(image->id, project, m);
}

outcome<json> image_store::list_members(const auth_context& ctx, std::string_view id) const {
  const auto* image = find(ctx, id);
  if (!image) return no_image(id);
  json members = json::array();
  for (const auto& [project, m] : image->members)
    if (owns(ctx, *image) || project == ctx.project_id) members.push_back(member_json(image->id, project, m));
  return json{{"members", members}, {"schema", "/v2/schemas/members"}};
}

outcome<json> image_store::show_member(const auth_context& ctx, std::string_view id, std::string_view member) const {
  const auto* image = find(ctx, id);
  if (!image) return no_image(id);
  auto it = image->members.find(member);
  if (it == image->members.end() || (!owns(ctx, *image) && member != ctx.project_id)) return no_member(id, member);
  return member_json(image->id, it->first, it->second);
}

outcome<json> image_store::update_member(const auth_context& ctx, std::string_view id, std::string_view member,
                                         const json& body) {
  auto* image = find_mutable(ctx, id);
  if (!image) return no_image(id);
  auto it = image->members.find(member);
  if (it == image->members.end()) return no_member(id, member);
  if (member != ctx.project_id) {
    if (owns(ctx, *image)) return forbidden("You are not permitted to modify 'status' on this image member.");
    return no_member(id, member);
  }
  auto status = body.is_object() && body.contains("status") && body["status"].is_string()
                  ? body["status"].get<std::string>() : std::string{};
  if (status != "pending" && status != "accepted" && status != "rejected")
    return bad_request("Invalid status: " + status);
  it->second.status = status;
  it->second.updated_at = clock_();
  return member_json(image->id, it->first, it->second);
}

std::optional<api_error> image_store::remove_member(const auth_context& ctx, std::string_view id,
                                                    std::string_view member) {
  auto* image = find_mutable(ctx, id);
  if (!image) return no_image(id);
  if (!owns(ctx, *image)) return forbidden("You are not permitted to delete image members for the image.");
  if (!image->members.erase(std::string{member})) return no_member(id, member);
  return std::nullopt;
}

} // namespace fedstack::sim
