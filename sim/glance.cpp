#include "sim/glance.hpp"

#include <fstream>
#include <iterator>

namespace fedstack::sim {
namespace {

constexpr const char* import_methods = "glance-direct,web-download";

std::string image_id_of(const request& r) { return r.segments.size() >= 3 ? r.segments[2] : std::string{}; }

reply render_error(const api_error& e) { return glance_api::error(e.status, e.message); }

bool accepts_json(const request& r) { return r.header("Accept").find("application/json") != std::string_view::npos; }

/// webob renders an error as JSON when the client accepts it (real Glance, Zed: the text
/// keeps the page's "<br /><br />" tail); our pages carry exactly that text.
reply as_json_error(const reply& page) {
  constexpr std::string_view open = "</h1>\n  ", close = "\n </body>";
  auto begin = page.body.find(open);
  auto end = page.body.rfind(close);
  if (begin == std::string::npos || end == std::string::npos || end < begin + open.size()) return page;
  auto message = page.body.substr(begin + open.size(), end - begin - open.size());
  auto title = std::string{status_title(page.status)};
  reply out = json_reply(page.status, {{"message", message},
                                       {"code", std::to_string(page.status) + " " + title},
                                       {"title", title}});
  for (const auto& [name, value] : page.headers)
    if (name != "Content-Type") out.headers[name] = value;
  out.headers["Content-Type"] = "application/json";
  return out;
}

} // namespace

reply glance_api::error(unsigned status, std::string_view message) {
  auto title = std::to_string(status) + " " + std::string{status_title(status)};
  reply out;
  out.status = status;
  out.headers["Content-Type"] = "text/html; charset=UTF-8";
  out.body = "<html>\n <head>\n  <title>" + title + "</title>\n </head>\n <body>\n  <h1>" + title +
             "</h1>\n  " + std::string{message} + "<br /><br />\n\n\n\n </body>\n</html>";
  return out;
}

bool glance_api::is_upload(const request& r) {
  return r.method == "PUT" && match(r, {"v2", "images", "*", "file"}).has_value();
}

bool glance_api::is_download(const request& r) {
  return r.method == "GET" && match(r, {"v2", "images", "*", "file"}).has_value();
}

reply glance_api::versions(unsigned status) const {
  json list = json::array();
  for (const char* id : {"v2.16", "v2.15", "v2.14", "v2.9", "v2.7", "v2.6", "v2.5", "v2.4",
                         "v2.3", "v2.2", "v2.1", "v2.0"}) {
    list.push_back({{"id", id},
                    {"status", std::string_view{id} == "v2.16" ? "CURRENT" : "SUPPORTED"},
                    {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2/"}}})}});
  }
  return json_reply(status, {{"versions", list}});
}

reply glance_api::handle(const request& r) {
  auto out = handle_as_page(r);
  if (out.status >= 400 && accepts_json(r) && out.headers["Content-Type"].rfind("text/html", 0) == 0)
    return as_json_error(out);
  return out;
}

reply glance_api::handle_as_page(const request& r) {
  if (r.segments.empty()) {
    return r.method == "GET" ? versions(300) : error(405, "The method is not allowed for this resource.");
  }
  if (match(r, {"versions"})) return versions(200);
  auto ctx = authenticate(ids_, r);
  if (!ctx) {
    auto out = error(401, "This server could not verify that you are authorized to access the "
                          "document you requested. Either you supplied the wrong credentials "
                          "(e.g., bad password), or your browser does not understand how to "
                          "supply the credentials required.");
    out.headers["WWW-Authenticate"] = "Keystone uri=\"" + ids_.keystone_url() + "\"";
    return out;
  }
  if (match(r, {"v2"}) && r.path.back() != '/') {
    reply out = empty_reply(302);
    out.headers["Location"] = base_url_ + "/v2/";
    out.headers["Content-Type"] = "text/plain; charset=utf8";
    return out;
  }
  auto out = route(r, *ctx);
  // Real Glance names its import methods on the create's answer only.
  if (r.method == "POST" && match(r, {"v2", "images"}) && out.status == 201)
    out.headers["OpenStack-Image-Import-Methods"] = import_methods;
  return out;
}

reply glance_api::image_reply(unsigned status, const image_record& image) const {
  return json_reply(status, image_json(image));
}

reply glance_api::route(const request& r, const auth_context& ctx) {
  auto method_not_allowed = [] { return error(405, "The method is not allowed for this resource."); };
  if (match(r, {"v2", "schemas", "image"})) return json_reply(200, glance_image_schema());
  if (match(r, {"v2", "schemas", "images"})) return json_reply(200, glance_images_schema());
  if (match(r, {"v2", "info", "import"})) {
    return json_reply(200, {{"import-methods",
                             {{"description", "Import methods available."},
                              {"type", "array"},
                              {"value", json::array({"glance-direct", "web-download"})}}}});
  }
  if (match(r, {"v2", "info", "stores"})) {
    return json_reply(200, {{"stores", json::array({{{"id", "file"}, {"default", true}}})}});
  }

  if (match(r, {"v2", "images"})) {
    if (r.method == "GET") return list_images(r, ctx);
    if (r.method == "POST") {
      auto body = parse_json(r);
      if (!body) return error(400, "Malformed JSON in request body.");
      std::lock_guard lock{cloud_.mutex};
      auto created = cloud_.images.create(ctx, *body);
      if (failed(created)) return render_error(error_of(created));
      const auto& image = std::get<image_record>(created);
      auto out = image_reply(201, image);
      out.headers["Location"] = base_url_ + "/v2/images/" + image.id;
      return out;
    }
    return method_not_allowed();
  }

  auto id = image_id_of(r);
  if (match(r, {"v2", "images", "*"})) {
    std::lock_guard lock{cloud_.mutex};
    if (r.method == "GET") {
      const auto* image = cloud_.images.find(ctx, id);
      if (!image) return error(404, "No image found with ID " + id);
      return image_reply(200, *image);
    }
    if (r.method == "PATCH") {
      auto ops = parse_json(r);
      if (!ops) return error(400, "Malformed JSON in request body.");
      auto updated = cloud_.images.patch(ctx, id, *ops);
      if (failed(updated)) return render_error(error_of(updated));
      return image_reply(200, std::get<image_record>(updated));
    }
    if (r.method == "DELETE") {
      if (auto e = cloud_.images.remove(ctx, id)) return render_error(*e);
      return empty_reply(204);
    }
    return method_not_allowed();
  }

  if (match(r, {"v2", "images", "*", "file"})) {
    if (r.method == "PUT") {
      auto begun = begin_upload(r);
      if (auto* failure = std::get_if<reply>(&begun)) return std::move(*failure);
      auto& ticket = std::get<upload_ticket>(begun);
      ticket.upload->write(r.body);
      return finish_upload(ticket);
    }
    if (r.method == "GET") {
      auto begun = begin_download(r);
      if (auto* early = std::get_if<reply>(&begun)) return std::move(*early);
      auto& ticket = std::get<download_ticket>(begun);
      std::ifstream in{ticket.file, std::ios::binary};
      ticket.header.body.assign(std::istreambuf_iterator<char>{in}, {});
      return std::move(ticket.header);
    }
    return method_not_allowed();
  }

  if (auto m = match(r, {"v2", "images", "*", "tags", "*"})) {
    std::lock_guard lock{cloud_.mutex};
    std::optional<api_error> e;
    if (r.method == "PUT") e = cloud_.images.add_tag(ctx, (*m)[0], (*m)[1]);
    else if (r.method == "DELETE") e = cloud_.images.remove_tag(ctx, (*m)[0], (*m)[1]);
    else return method_not_allowed();
    if (e) return render_error(*e);
    return empty_reply(204);
  }

  if (auto m = match(r, {"v2", "images", "*", "actions", "*"})) {
    if (r.method != "POST") return method_not_allowed();
    if ((*m)[1] != "deactivate" && (*m)[1] != "reactivate") return error(404, "The resource could not be found.");
    std::lock_guard lock{cloud_.mutex};
    if (auto e = cloud_.images.set_active(ctx, (*m)[0], (*m)[1] == "reactivate")) return render_error(*e);
    return empty_reply(204);
  }

  if (match(r, {"v2", "images", "*", "members"})) {
    std::lock_guard lock{cloud_.mutex};
    if (r.method == "GET") {
      auto listed = cloud_.images.list_members(ctx, id);
      if (failed(listed)) return render_error(error_of(listed));
      return json_reply(200, std::get<json>(listed));
    }
    if (r.method != "POST") return method_not_allowed();
    auto body = json::parse(r.body, nullptr, false);
    auto added = cloud_.images.add_member(ctx, id, body);
    if (failed(added)) return render_error(error_of(added));
    return json_reply(200, std::get<json>(added));
  }

  if (auto m = match(r, {"v2", "images", "*", "members", "*"})) {
    std::lock_guard lock{cloud_.mutex};
    const auto& member = (*m)[1];
    if (r.method == "GET") {
      auto shown = cloud_.images.show_member(ctx, id, member);
      if (failed(shown)) return render_error(error_of(shown));
      return json_reply(200, std::get<json>(shown));
    }
    if (r.method == "PUT") {
      auto body = json::parse(r.body, nullptr, false);
      auto updated = cloud_.images.update_member(ctx, id, member, body);
      if (failed(updated)) return render_error(error_of(updated));
      return json_reply(200, std::get<json>(updated));
    }
    if (r.method == "DELETE") {
      if (auto e = cloud_.images.remove_member(ctx, id, member)) return render_error(*e);
      return empty_reply(204);
    }
    return method_not_allowed();
  }
  return error(404, "The resource could not be found.");
}

reply glance_api::list_images(const request& r, const auth_context& ctx) {
  std::lock_guard lock{cloud_.mutex};
  auto page = cloud_.images.list(ctx, r);
  if (failed(page)) return render_error(error_of(page));
  const auto& result = std::get<image_page>(page);
  json images = json::array();
  for (const auto* image : result.images) images.push_back(image_json(*image));

  // "first" repeats the query without the marker; "next" swaps in the last ID.
  std::string without_marker;
  for (const auto& [key, value] : r.query) {
    if (key == "marker") continue;
    without_marker += (without_marker.empty() ? "" : "&") + url_encode(key) + "=" + url_encode(value);
  }
  json body = {{"images", images},
               {"first", "/v2/images" + (without_marker.empty() ? "" : "?" + without_marker)},
               {"schema", "/v2/schemas/images"}};
  if (result.full) {
    body["next"] = "/v2/images?" + without_marker + (without_marker.empty() ? "" : "&") +
                   "marker=" + url_encode(result.images.back()->id);
  }
  return json_reply(200, body);
}

std::variant<reply, glance_api::upload_ticket> glance_api::begin_upload(const request& r) {
  auto ctx = authenticate(ids_, r);
  if (!ctx) return handle(r);   // renders the 401
  auto id = image_id_of(r);
  std::lock_guard lock{cloud_.mutex};
  auto path = cloud_.images.begin_upload(*ctx, id);
  if (failed(path)) return render_error(error_of(path));
  try {
    return upload_ticket{*ctx, id, std::make_unique<image_upload>(std::get<std::filesystem::path>(path))};
  } catch (const std::exception& e) {
    cloud_.images.abort_upload(id);
    return error(500, std::string{"Error storing image data: "} + e.what());
  }
}

reply glance_api::finish_upload(upload_ticket& ticket) {
  upload_digest digest;
  try {
    digest = ticket.upload->commit();
  } catch (const std::exception& e) {
    abort_upload(ticket);
    return error(500, std::string{"Error storing image data: "} + e.what());
  }
  std::lock_guard lock{cloud_.mutex};
  if (auto e = cloud_.images.finish_upload(ticket.image_id, digest)) return render_error(*e);
  auto out = empty_reply(204);
  out.headers["Content-Type"] = "text/html; charset=UTF-8";
  return out;
}

void glance_api::abort_upload(upload_ticket& ticket) {
  ticket.upload->abort();
  std::lock_guard lock{cloud_.mutex};
  cloud_.images.abort_upload(ticket.image_id);
}

std::variant<reply, glance_api::download_ticket> glance_api::begin_download(const request& r) {
  auto ctx = authenticate(ids_, r);
  if (!ctx) return handle(r);
  std::lock_guard lock{cloud_.mutex};
  auto found = cloud_.images.begin_download(*ctx, image_id_of(r));
  if (failed(found)) return render_error(error_of(found));
  const auto& file = std::get<std::optional<image_store::download>>(found);
  if (!file) return empty_reply(204);
  download_ticket ticket;
  ticket.header.status = 200;
  ticket.header.headers["Content-Type"] = "application/octet-stream";
  ticket.header.headers["Content-MD5"] = file->checksum;
  ticket.header.headers["Content-Length"] = std::to_string(file->size);
  ticket.file = file->file;
  ticket.size = file->size;
  return ticket;
}

} // namespace fedstack::sim
