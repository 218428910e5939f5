#include "api/errors.hpp"

#include <nlohmann/json.hpp>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr std::string_view json_type = "application/json";

// Messages may quote upstream or user text; invalid UTF-8 must not make dump() throw.
std::string dump_safely(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string status_line(int status) {
  return std::to_string(status) + " " + std::string(reason_phrase(status));
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#x27;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// webob's HTML error page, byte for byte as Glance sends it (captured 404: 154 bytes).
std::string webob_html(int status, std::string_view message) {
  auto line = status_line(status);
  return "<html>\n <head>\n  <title>" + line + "</title>\n </head>\n <body>\n  <h1>" + line +
         "</h1>\n  " + html_escape(message) + "<br /><br />\n\n\n\n </body>\n</html>";
}

error_response identity_error(int status, std::string_view message) {
  json body = {{"error",
                {{"code", status}, {"title", reason_phrase(status)}, {"message", message}}}};
  return {status, std::string(json_type), dump_safely(body)};
}

} // namespace

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown Error";
  }
}

std::string_view default_explanation(int status) noexcept {
  switch (status) {
    case 400: return "The server could not comply with the request since it is either malformed "
                     "or otherwise incorrect.";
    case 401: return "This server could not verify that you are authorized to access the "
                     "document you requested. Either you supplied the wrong credentials (e.g., "
                     "bad password), or your browser does not understand how to supply the "
                     "credentials required.";
    case 403: return "Access was denied to this resource.";
    case 404: return "The resource could not be found.";
    case 405: return "The method is not allowed for this resource.";
    case 406: return "The resource could not be generated that was acceptable to your browser.";
    case 409: return "There was a conflict when trying to complete your request.";
    case 413: return "The request is larger than the server is willing or able to process.";
    case 414: return "The request URI was too long for this server.";
    case 415: return "The request media type is not supported by this server.";
    case 429: return "The client has sent too many requests in a given amount of time.";
    case 500: return "The server has either erred or is incapable of performing the requested "
                     "operation.";
    case 501: return "The request method is not implemented for this server.";
    case 502: return "Bad gateway.";
    case 503: return "The server is currently unavailable. Please try again at a later time.";
    case 504: return "The gateway has timed out.";
    default: return "An unknown error occurred.";
  }
}

std::string_view nova_fault_name(int status) noexcept {
  switch (status) {
    case 400: return "badRequest";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "itemNotFound";
    case 405: return "badMethod";
    case 409: return "conflictingRequest";
    case 413:
    case 429: return "overLimit";
    case 415: return "badMediaType";
    case 501: return "notImplemented";
    case 503: return "serviceUnavailable";
    default: return "computeFault";
  }
}

std::string_view neutron_error_type(int status) noexcept {
  switch (status) {
    case 400: return "HTTPBadRequest";
    case 401: return "HTTPUnauthorized";
    case 403: return "HTTPForbidden";
    case 404: return "HTTPNotFound";
    case 405: return "HTTPMethodNotAllowed";
    case 406: return "HTTPNotAcceptable";
    case 409: return "HTTPConflict";
    case 413: return "HTTPRequestEntityTooLarge";
    case 414: return "HTTPRequestURITooLong";
    case 415: return "HTTPUnsupportedMediaType";
    case 429: return "HTTPTooManyRequests";
    case 501: return "HTTPNotImplemented";
    case 502: return "HTTPBadGateway";
    case 503: return "HTTPServiceUnavailable";
    case 504: return "HTTPGatewayTimeout";
    default: return "HTTPInternalServerError";
  }
}

error_response neutron_error_body(int status, std::string_view type, std::string_view message,
                                  std::string_view detail) {
  json body = {{"NeutronError", {{"type", type}, {"message", message}, {"detail", detail}}}};
  return {status, std::string(json_type), dump_safely(body)};
}

error_response error_body(service_type service, int status, std::string_view message) {
  if (message.empty()) message = default_explanation(status);
  // keystonemiddleware rejects unauthenticated calls before Neutron or Nova see them.
  bool middleware_401 = status == 401 && service != service_type::image;
  switch (service) {
    case service_type::image:
      return {status, "text/html; charset=UTF-8", webob_html(status, message)};
    case service_type::network:
      if (middleware_401) break;
      return neutron_error_body(status, neutron_error_type(status), message);
    case service_type::compute:
    case service_type::volume: {   // Cinder's wsgi.Fault took Nova's shape and fault names
      if (middleware_401) break;
      json body = {{nova_fault_name(status), {{"code", status}, {"message", message}}}};
      return {status, "application/json; charset=UTF-8", dump_safely(body)};
    }
    case service_type::identity:
    case service_type::none: break;
  }
  return identity_error(status, message);
}

error_response not_found_error(service_type service, std::string_view resource,
                               std::string_view id) {
  auto id_text = std::string(id);
  switch (service) {
    case service_type::compute:
      if (resource == "servers")
        return error_body(service, 404, "Instance " + id_text + " could not be found.");
      if (resource == "flavors")
        return error_body(service, 404, "Flavor " + id_text + " could not be found.");
      if (resource == "os-hypervisors")
        return error_body(service, 404, "Hypervisor with ID " + id_text + " could not be found.");
      break;
    case service_type::image:
      if (resource == "images") return error_body(service, 404, "No image found with ID " + id_text);
      break;
    case service_type::volume:   // Cinder's VolumeNotFound, SnapshotNotFound
      if (resource == "volumes") return error_body(service, 404, "Volume " + id_text + " could not be found.");
      if (resource == "snapshots") return error_body(service, 404, "Snapshot " + id_text + " could not be found.");
      break;
    case service_type::network: {
      std::string_view name = resource == "networks"  ? "Network"
                              : resource == "subnets" ? "Subnet"
                              : resource == "ports"   ? "Port"
                                                      : "";
      if (name.empty()) break;
      return neutron_error_body(404, std::string(name) + "NotFound",
                                std::string(name) + " " + id_text + " could not be found.");
    }
    case service_type::identity:
    case service_type::none: break;
  }
  return error_body(service, 404);
}

} // namespace fedstack::api
