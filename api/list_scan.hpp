#pragma once
// A list page translated without a JSON tree (docs/decisions.md, "The list
// without a tree"): one validating pass over a cloud's answer finds the items
// of the collection and, in each, what the tree version found by parsing it
// (api/global_id.hpp's markers, the UUIDs in every string, the references a
// client follows, the fields an order sorts by); a second pass writes an item
// into the output: the cloud's bytes, with only what changes rewritten.
//
// What the writer gives equals, parsed, what the tree version gave (markers
// stripped by the same rules, strings through api::rewrite_uuids and
// api::rewrite_url_prefix); only the text differs: the cloud's key order and
// whitespace are kept, and strings or numbers that do not change keep the
// cloud's spelling. tests/unit/list_scan_test.cpp and tests/fuzz/list_scan.cpp
// check that against the tree.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/global_id.hpp"
#include "api/service.hpp"

namespace fedstack::api {

/// Bytes [begin, end) of a text.
struct byte_span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// True when nlohmann::json::parse would accept `text`: one RFC 8259 value, with
/// whitespace and a leading UTF-8 byte order mark allowed, strings valid UTF-8
/// (surrogate escapes paired), numbers finite as doubles.
bool is_json(std::string_view text);

/// A change the writer makes to an item's bytes.
struct scan_edit {
  enum class kind : unsigned char {
    remove,        // a marker: the member or array element, and a comma
    string,        // a string that may hold a UUID (keys too) or a cloud URL (values)
    empty_string,  // a Neutron pending description, shown empty
    member_value,  // an item's member the caller may replace (scan_options::replaceable)
  };
  byte_span span;
  kind what = kind::string;
  bool is_key = false;
  bool escaped = false;       // the string has escapes: decode before rewriting
  unsigned short slot = 0;    // member_value: its index in scan_options::replaceable
};

/// A marker found on an object with a string "id", at any depth (rules/id_maps.hpp).
struct scanned_marker {
  std::string local_id;
  std::string global_id;
  bool is_copy = false;
};

/// A reference a client follows (the image of a server, the network or subnet of a port).
struct scanned_reference {
  service_type service = service_type::image;
  std::string path;
  std::string id;
};

/// A member of an item (top level) whose name the caller wanted.
struct scanned_member {
  unsigned short slot = 0;    // index in scan_options::wanted
  byte_span value;
};

/// One item of the page.
struct scanned_item {
  byte_span span;
  std::optional<marker> own;          // read_marker of the item
  std::size_t edits_begin = 0, edits_end = 0;       // in list_scan::edits
  std::size_t members_begin = 0, members_end = 0;   // in list_scan::members
};

struct scan_options {
  service_type service = service_type::image;
  /// The cloud's service root: string values holding it get rewritten.
  std::string_view from_root;
  /// Item members to report (sort keys, "id", ...): scanned_member::slot indexes this.
  std::vector<std::string> wanted;
  /// Item members the writer may replace whole (scan_edit::member_value).
  std::vector<std::string> replaceable;
};

/// What the first pass found in a page. Markers, UUIDs and references are not
/// kept for an item that is a copy (its own marker says is_copy): lists hide
/// copies. UUIDs point into the page's text, or into `decoded` for escaped strings.
struct list_scan {
  std::vector<scanned_item> items;
  std::vector<scan_edit> edits;
  std::vector<scanned_member> members;
  std::vector<scanned_marker> markers;
  std::vector<std::string_view> uuids;   // with repeats, in document order
  std::vector<scanned_reference> references;
  std::deque<std::string> decoded;       // a deque: views into its strings stay valid
  void clear();
};

/// Scans `text`, a cloud's answer: true when it is JSON (as is_json) and an
/// object whose member `collection` (its last, as a parser keeps) is an array;
/// `out` then describes that array's items. `out` is cleared first.
bool scan_list_page(std::string_view text, std::string_view collection, const scan_options& options,
                    list_scan& out);

/// Global <- local (or any ID -> ID) for the writer, by views into a map that outlives it.
using id_views = std::unordered_map<std::string_view, std::string_view>;

struct write_options {
  const id_views* ids = nullptr;
  std::string_view from_root;   // the cloud's service root, and the agent's
  std::string_view to_root;
  /// Per scan_options::replaceable slot: the JSON text that replaces the member's value, or null.
  const std::string* const* replacements = nullptr;
};

/// Appends bytes [span.begin, span.end) of `text` with the edits that fall in
/// it applied (`edits`: an item's, in order).
void write_span(std::string& out, std::string_view text, byte_span span, const scan_edit* edits_begin,
                const scan_edit* edits_end, const write_options& options);

/// A string's text: `raw` is its bytes between the quotes, escapes decoded when `escaped`.
std::string decode_json_string(std::string_view raw, bool escaped);

/// Appends `text` as a JSON string, escaped as nlohmann::json::dump does.
void append_json_string(std::string& out, std::string_view text);

} // namespace fedstack::api
