#include "agent/rules/direct_image_rule.hpp"

#include <algorithm>

#include "agent/rules/reclaim_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::string text_of(const json& item, const char* key) {
  if (!item.is_object()) return {};
  auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

bool equal_images(const json& a, const json& b) {
  if (text_of(a, "status") != "active" || text_of(b, "status") != "active") return false;
  auto checksum = text_of(a, "checksum");
  if (checksum.empty() || checksum != text_of(b, "checksum")) return false;
  auto hash_a = text_of(a, "os_hash_value"), hash_b = text_of(b, "os_hash_value");
  if (!hash_a.empty() && !hash_b.empty() && hash_a != hash_b) return false;
  auto owner = owner_project(a);
  return !owner.empty() && owner == owner_project(b) && text_of(a, "name") == text_of(b, "name");
}

image_holder choose_image_holder(std::vector<image_sighting> shown, const std::string& own) {
  image_holder out;
  if (shown.empty()) return out;
  for (const auto& s : shown)
    if (s.cloudlet == own) {
      out.cloudlet = own;
      return out;
    }
  std::sort(shown.begin(), shown.end(), [](const auto& x, const auto& y) { return x.cloudlet < y.cloudlet; });
  for (std::size_t i = 1; i < shown.size(); ++i)
    if (!equal_images(shown[0].image, shown[i].image)) {
      out.conflict = "Image " + text_of(shown[0].image, "id") + " names different images on " + shown[0].cloudlet +
                     " and " + shown[i].cloudlet + ".";
      return out;
    }
  out.cloudlet = shown[0].cloudlet;
  return out;
}

std::optional<std::string> equal_image_in(const json& images, const json& wanted) {
  if (!images.is_array()) return std::nullopt;
  for (const auto& image : images)
    if (equal_images(image, wanted) && !text_of(image, "id").empty()) return text_of(image, "id");
  return std::nullopt;
}

std::vector<std::vector<bool>> images_shown_once(const std::vector<std::pair<std::string, std::vector<json>>>& clouds,
                                                 const std::string& own) {
  // Cloudlets in the order their images win: own first, then by region name.
  std::vector<std::size_t> order(clouds.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    bool ox = clouds[x].first == own, oy = clouds[y].first == own;
    if (ox != oy) return ox;
    return clouds[x].first < clouds[y].first;
  });
  std::vector<std::vector<bool>> shown(clouds.size());
  std::vector<const json*> kept;
  for (auto c : order) {
    shown[c].assign(clouds[c].second.size(), true);
    std::vector<const json*> here;
    for (std::size_t i = 0; i < clouds[c].second.size(); ++i) {
      const auto& item = clouds[c].second[i];
      // Only images of other cloudlets are folded: a cloud's own list is its own.
      bool seen = std::any_of(kept.begin(), kept.end(), [&](const json* k) { return equal_images(*k, item); });
      if (seen) shown[c][i] = false;
      else here.push_back(&item);
    }
    kept.insert(kept.end(), here.begin(), here.end());
  }
  return shown;
}

std::string encode_adopted(const adopted_record& record) {
  return json{{"gid", record.global_id}, {"project", record.project}, {"cloudlet", record.cloudlet},
              {"id", record.local_id}}.dump();
}

std::optional<adopted_record> decode_adopted(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  adopted_record out{text_of(doc, "gid"), text_of(doc, "project"), text_of(doc, "cloudlet"), text_of(doc, "id")};
  if (out.global_id.empty() || out.project.empty() || out.cloudlet.empty() || out.local_id.empty())
    return std::nullopt;
  return out;
}

std::optional<std::pair<adopted_record, storage::registry_entry>>
adopt_image(const std::string& global_id, const std::string& cloudlet, const json& image, std::int64_t now_unix_ms) {
  auto project = owner_project(image);
  auto id = text_of(image, "id");
  if (project.empty() || id.empty()) return std::nullopt;
  storage::registry_entry entry;
  entry.kind = storage::resource_kind::image;
  entry.global_id = global_id;
  entry.project_id = project;
  entry.state = storage::entry_state::bound;
  entry.created_unix_ms = now_unix_ms;
  entry.name = text_of(image, "name").substr(0, 255);
  return std::pair{adopted_record{global_id, project, cloudlet, id}, std::move(entry)};
}

std::string adopted_image_key(const std::string& cloud_id) {
  return "adopted/image/" + cloud_id;
}

} // namespace fedstack::agent
