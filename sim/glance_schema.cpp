// The image schemas Glance serves. glanceclient validates request bodies and
// builds its models from them, so the property types must be right.
#include "sim/glance.hpp"

namespace fedstack::sim {
namespace {

json nullable_string(std::string description, std::size_t max_length = 0) {
  json out = {{"type", json::array({"null", "string"})}, {"readOnly", false},
              {"description", std::move(description)}};
  if (max_length) out["maxLength"] = max_length;
  return out;
}

json read_only(json type, std::string description) {
  return {{"type", std::move(type)}, {"readOnly", true}, {"description", std::move(description)}};
}

json format_enum(std::vector<const char*> values, std::string description) {
  json choices = json::array({nullptr});
  for (const char* v : values) choices.push_back(v);
  return {{"type", json::array({"null", "string"})},
          {"description", std::move(description)},
          {"enum", choices}};
}

} // namespace

json glance_image_schema() {
  json properties = {
    {"id", {{"type", "string"},
            {"description", "An identifier for the image"},
            {"pattern", "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"}}},
    {"name", nullable_string("Descriptive name for the image", 255)},
    {"status", {{"type", "string"},
                {"readOnly", true},
                {"description", "Status of the image"},
                {"enum", json::array({"queued", "saving", "active", "killed", "deleted", "uploading",
                                      "importing", "pending_delete", "deactivated"})}}},
    {"visibility", {{"type", "string"},
                    {"description", "Scope of image accessibility"},
                    {"enum", json::array({"community", "public", "private", "shared"})}}},
    {"protected", {{"type", "boolean"}, {"description", "If true, image will not be deletable."}}},
    {"os_hidden", {{"type", "boolean"}, {"description", "If true, image will not appear in default image list response."}}},
    {"checksum", read_only(json::array({"null", "string"}), "md5 hash of image contents.")},
    {"os_hash_algo", read_only(json::array({"null", "string"}), "Algorithm to calculate the os_hash_value")},
    {"os_hash_value", read_only(json::array({"null", "string"}), "Hexdigest of the image contents using the algorithm specified by the os_hash_algo")},
    {"owner", nullable_string("Owner of the image", 255)},
    {"size", read_only(json::array({"null", "integer"}), "Size of image file in bytes")},
    {"virtual_size", read_only(json::array({"null", "integer"}), "Virtual size of image in bytes")},
    {"container_format", format_enum({"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"},
                                     "Format of the container")},
    {"disk_format", format_enum({"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"},
                                "Format of the disk")},
    {"created_at", read_only("string", "Date and time of image registration")},
    {"updated_at", read_only("string", "Date and time of the last image modification")},
    {"tags", {{"type", "array"},
              {"description", "List of strings related to the image"},
              {"items", {{"type", "string"}, {"maxLength", 255}}}}},
    {"direct_url", read_only("string", "URL to access the image file kept in external store")},
    {"min_ram", {{"type", "integer"}, {"description", "Amount of ram (in MB) required to boot image."}}},
    {"min_disk", {{"type", "integer"}, {"description", "Amount of disk space (in GB) required to boot image."}}},
    {"self", read_only("string", "An image self url")},
    {"file", read_only("string", "An image file url")},
    {"stores", read_only("string", "Store in which image data resides.  Only present when the operator has enabled multiple stores.  May be a comma-separated list of store identifiers.")},
    {"schema", read_only("string", "An image schema url")},
    {"locations", {{"type", "array"},
                   {"description", "A set of URLs to access the image file kept in external store"},
                   {"items", {{"type", "object"},
                              {"properties", {{"url", {{"type", "string"}, {"maxLength", 255}}},
                                              {"metadata", {{"type", "object"}}},
                                              {"validation_data", {{"type", "object"}}}}},
                              {"required", json::array({"url", "metadata"})}}}}},
  };
  return {{"name", "image"},
          {"properties", properties},
          {"additionalProperties", {{"type", "string"}}},
          {"links", json::array({{{"rel", "self"}, {"href", "{self}"}},
                                 {{"rel", "enclosure"}, {"href", "{file}"}},
                                 {{"rel", "describedby"}, {"href", "{schema}"}}})}};
}

json glance_images_schema() {
  return {{"name", "images"},
          {"properties", {{"images", {{"type", "array"}, {"items", glance_image_schema()}}},
                          {"schema", {{"type", "string"}}},
                          {"first", {{"type", "string"}}},
                          {"next", {{"type", "string"}}}}},
          {"links", json::array({{{"rel", "first"}, {"href", "{first}"}},
                                 {{"rel", "next"}, {"href", "{next}"}},
                                 {{"rel", "describedby"}, {"href", "{schema}"}}})}};
}

} // namespace fedstack::sim
