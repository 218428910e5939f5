#include "api/list_scan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "api/global_id_check.hpp"
#include "api/rewrite.hpp"
#include "api/uuid.hpp"

namespace fedstack::api {
namespace {

constexpr std::size_t uuid_length = 36;
constexpr std::string_view gid_tag = "fedstack_gid=";
constexpr std::string_view copy_tag = "fedstack_copy_of=";
constexpr std::string_view attempt_tag_prefix = "fedstack_attempt=";
constexpr std::string_view federation_tag_prefix = "fedstack_";

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view without_trailing_slashes(std::string_view root) {
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  return root;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// Reads four hex digits at t[p..p+4).
bool read_hex4(std::string_view t, std::size_t p, unsigned& out) {
  if (p + 4 > t.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    int v = hex_value(t[p + i]);
    if (v < 0) return false;
    out = out * 16 + static_cast<unsigned>(v);
  }
  return true;
}

/// Length of the valid UTF-8 sequence (RFC 3629) starting at t[p] (>= 0x80), or 0.
std::size_t utf8_length(std::string_view t, std::size_t p) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(t[i]); };
  auto cont = [&](std::size_t i, unsigned lo, unsigned hi) {
    return i < t.size() && byte(i) >= lo && byte(i) <= hi;
  };
  unsigned c = byte(p);
  if (c >= 0xC2 && c <= 0xDF) return cont(p + 1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(p + 1, 0xA0, 0xBF) && cont(p + 2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return cont(p + 1, 0x80, 0xBF) && cont(p + 2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return cont(p + 1, 0x80, 0x9F) && cont(p + 2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(p + 1, 0x90, 0xBF) && cont(p + 2, 0x80, 0xBF) && cont(p + 3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return cont(p + 1, 0x80, 0xBF) && cont(p + 2, 0x80, 0xBF) && cont(p + 3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return cont(p + 1, 0x80, 0x8F) && cont(p + 2, 0x80, 0xBF) && cont(p + 3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

/// The first position at or after i, in steps of 16 bytes, whose block holds a
/// byte that ends the plain run (a quote, a backslash, a control byte or a byte
/// >= 0x80); the caller's byte loop finds which one. Strings in lists are mostly
/// long plain runs (URLs, hashes, IDs, timestamps).
std::size_t skip_plain_ascii(std::string_view t, std::size_t i) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (i + 16 <= t.size()) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data() + i));
    // Signed bytes: one comparison catches control bytes (< 0x20) and those >= 0x80 (negative).
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)),
                                _mm_cmplt_epi8(block, space));
    if (_mm_movemask_epi8(stop) != 0) break;
    i += 16;
  }
#endif
  return i;
}

/// Reads the string whose opening quote is at t[p]; on success p is past the
/// closing quote. `escaped`: it holds a backslash.
bool read_string(std::string_view t, std::size_t& p, bool& escaped) {
  escaped = false;
  std::size_t i = p + 1;
  const std::size_t n = t.size();
  for (;;) {
    // The common run: printable ASCII without quote or backslash.
    i = skip_plain_ascii(t, i);
    while (i < n) {
      auto c = static_cast<unsigned char>(t[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++i;
    }
    if (i >= n) return false;
    auto c = static_cast<unsigned char>(t[i]);
    if (c == '"') {
      p = i + 1;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      auto len = utf8_length(t, i);
      if (len == 0) return false;
      i += len;
      continue;
    }
    // A backslash.
    escaped = true;
    if (i + 1 >= n) return false;
    char e = t[i + 1];
    if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
      i += 2;
      continue;
    }
    if (e != 'u') return false;
    unsigned cp = 0;
    if (!read_hex4(t, i + 2, cp)) return false;
    i += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;   // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low = 0;
      if (i + 1 >= n || t[i] != '\\' || t[i + 1] != 'u' || !read_hex4(t, i + 2, low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return false;
      i += 6;
    }
  }
}

/// Reads the number at t[p]; on success p is past it.
bool read_number(std::string_view t, std::size_t& p) {
  std::size_t i = p;
  const std::size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (t[i] >= '1' && t[i] <= '9') {
    while (i < n && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  bool plain = true;
  if (i < n && t[i] == '.') {
    plain = false;
    ++i;
    if (i >= n || !is_digit(t[i])) return false;
    while (i < n && is_digit(t[i])) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    plain = false;
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= n || !is_digit(t[i])) return false;
    while (i < n && is_digit(t[i])) ++i;
  }
  // nlohmann::json refuses a number that overflows a double ("number overflow").
  if (!plain || i - p > 18) {
    std::string copy(t.substr(p, i - p));
    if (!std::isfinite(std::strtod(copy.c_str(), nullptr))) return false;
  }
  p = i;
  return true;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// The marker fields an object holds, each the last such member (a parser keeps the last).
struct marker_fields {
  std::optional<std::string_view> gid, copy_of, attempt;   // views into the page or list_scan::decoded
  // Glance: a snapshot or shelve image names its server, and a recorded snapshot names it too.
  std::optional<std::string_view> snapshot_of, instance_uuid;
  std::optional<std::string_view> multi;   // Nova: the marker names a boot of several servers
  void clear() {
    multi.reset();
    gid.reset();
    copy_of.reset();
    attempt.reset();
    snapshot_of.reset();
    instance_uuid.reset();
  }
};

/// api/global_id.cpp's from_object on the fields.
std::optional<marker> marker_of(const marker_fields& f) {
  for (bool is_copy : {false, true}) {
    const auto& id = is_copy ? f.copy_of : f.gid;
    if (id && is_global_id(*id)) {
      marker m{std::string(*id), is_copy, {}};
      if (f.attempt && is_attempt_token(*f.attempt)) m.attempt = std::string(*f.attempt);
      return m;
    }
  }
  return std::nullopt;
}

/// api/global_id.cpp's read_marker for a Glance image: a snapshot or shelve
/// image inherits the markers of the image its server booted from; they are
/// its own only when it names that server as the snapshot it is.
std::optional<marker> image_marker_of(const marker_fields& f) {
  if (f.instance_uuid && f.snapshot_of != f.instance_uuid) return std::nullopt;
  return marker_of(f);
}

// What a member's name means to the scan.
enum role : unsigned {
  role_id = 1u << 0,
  role_marker_key = 1u << 1,   // fedstack_gid, fedstack_copy_of, fedstack_attempt
  role_metadata = 1u << 2,     // compute: holds the marker
  role_tags = 1u << 3,         // network: holds the marker
  role_description = 1u << 4,  // network: may be a pending marker
  role_network_ref = 1u << 5,  // network_id, subnet_id
  role_image = 1u << 6,        // compute: a server's image
  role_instance = 1u << 7,     // image: instance_uuid, the server a snapshot or shelve image was taken of
  role_volumes = 1u << 8,      // compute: os-extended-volumes:volumes_attached, whose items' `id` is a volume
};

struct frame {
  bool is_object = false;
  bool opened = true;           // nothing read in it yet
  bool after_value = false;     // a member or element was just read
  bool strip_markers = false;   // object: remove marker keys (Glance items, Nova metadata)
  bool strip_tags = false;      // array: remove marker tags (Neutron)
  bool collection = false;      // the page's array of items
  bool item = false;            // an item of the page (object)
  std::size_t kept = 0;         // members or elements kept so far
  std::size_t last_comma = 0;
  // The member or element being read.
  std::size_t member_start = 0;
  std::size_t value_start = 0;
  bool removing = false;
  unsigned roles = 0;
  int wanted_slot = -1;
  int replace_slot = -1;
  std::size_t replace_edit = 0;
  std::string_view key;
  std::string key_buffer;       // a decoded escaped key
  std::string_view network_ref_path;
  service_type ref_service = service_type::network;
  // What the object holds.
  std::optional<std::string_view> id;
  marker_fields own;            // its own marker keys
  marker_fields held;           // compute: its metadata's; network: from its tags
  std::optional<marker> tags_marker;   // network, an array of tags: the first marker tag
  std::optional<std::string_view> tags_attempt;
  std::optional<marker> from_tags;     // network, an object: from its last "tags"

  void reset(bool object) {
    is_object = object;
    opened = true;
    after_value = false;
    strip_markers = strip_tags = collection = item = false;
    kept = 0;
    removing = false;
    roles = 0;
    wanted_slot = replace_slot = -1;
    key = {};
    id.reset();
    own.clear();
    held.clear();
    tags_marker.reset();
    tags_attempt.reset();
    from_tags.reset();
  }
};

class page_walker {
 public:
  page_walker(std::string_view text, std::string_view collection, const scan_options* options, list_scan* out)
      : t_(text), collection_(collection), options_(options), out_(out),
        from_root_(options ? without_trailing_slashes(options->from_root) : std::string_view{}) {
    if (!options_) return;
    for (std::string_view name : {std::string_view("id"), gid_key, copy_of_key, attempt_key, snapshot_of_key,
                                  multi_key, std::string_view("instance_uuid"), std::string_view("server_id"),
                                  std::string_view("instance"), std::string_view("volume_id"),
                                  std::string_view("os-extended-volumes:volumes_attached"),
                                  std::string_view("metadata"), std::string_view("image"),
                                  std::string_view("tags"), std::string_view("description"),
                                  std::string_view("network_id"), std::string_view("subnet_id")})
      name_may_matter(name);
    for (const auto& name : options_->wanted) name_may_matter(name);
    for (const auto& name : options_->replaceable) name_may_matter(name);
  }

  bool run() {
    if (starts_with(t_, "\xEF\xBB\xBF")) p_ = 3;
    skip_ws();
    if (!value()) return false;
    while (!empty()) {
      skip_ws();
      if (p_ >= t_.size()) return false;
      char c = t_[p_];
      frame& f = top();
      char closer = f.is_object ? '}' : ']';
      if (f.after_value) {
        if (c == ',') {
          end_member(true);
          top().last_comma = p_;
          top().after_value = false;
          ++p_;
          skip_ws();
          if (!next_member()) return false;
          continue;
        }
        if (c != closer) return false;
        end_member(false);
        ++p_;
        if (!close()) return false;
        continue;
      }
      if (f.opened && c == closer) {
        ++p_;
        if (!close()) return false;
        continue;
      }
      if (!next_member()) return false;
    }
    skip_ws();
    // nlohmann::json's lexer takes a NUL byte outside strings for the end of the input.
    bool ended = p_ == t_.size() || t_[p_] == '\0';
    return ended && (!options_ || found_collection_);
  }

 private:
  frame& top() { return frames_[depth_ - 1]; }
  bool empty() const { return depth_ == 0; }

  void skip_ws() {
    while (p_ < t_.size() && is_ws(t_[p_])) ++p_;
  }

  /// Inside the page's items, and not inside a marker being removed.
  bool recording() const { return in_items_ > 0 && suppress_ == 0; }

  frame& push(bool object) {
    if (depth_ == frames_.size()) frames_.emplace_back();
    frame& f = frames_[depth_++];
    f.reset(object);
    return f;
  }

  /// Reads a member's name and colon, or an array's element start, then the value.
  bool next_member() {
    frame& f = top();
    f.opened = false;
    f.member_start = p_;
    f.removing = false;
    f.roles = 0;
    f.wanted_slot = f.replace_slot = -1;
    if (f.is_object) {
      if (p_ >= t_.size() || t_[p_] != '"') return false;
      std::size_t start = p_;
      bool escaped = false;
      if (!read_string(t_, p_, escaped)) return false;
      auto raw = t_.substr(start + 1, p_ - start - 2);
      if (escaped) {
        f.key_buffer = decode_json_string(raw, true);
        f.key = f.key_buffer;
      } else {
        f.key = raw;
      }
      if (recording()) on_string({start, p_}, f.key, escaped, true);
      skip_ws();
      if (p_ >= t_.size() || t_[p_] != ':') return false;
      ++p_;
      skip_ws();
      classify(f);
    } else if (f.collection) {
      begin_item();
    }
    f.value_start = p_;
    f.after_value = true;
    return value();
  }

  /// What the member named f.key means.
  void classify(frame& f) {
    auto key = f.key;
    if (depth_ == 1 && options_ && key == collection_) {
      // The last member of that name counts: what came before is dropped.
      out_->clear();
      found_collection_ = false;
      collection_member_ = true;
      return;
    }
    collection_member_ = false;
    if (in_items_ == 0 || !options_) return;
    if (!may_matter(key)) return;   // most members: none of the names below
    auto service = options_->service;
    if (key == "id") f.roles |= role_id;
    if (key == gid_key || key == copy_of_key || key == attempt_key ||
        (service == service_type::image && key == snapshot_of_key) ||
        (service == service_type::compute && key == multi_key)) {
      f.roles |= role_marker_key;
      if (f.strip_markers && suppress_ == 0) {
        f.removing = true;
        suppress_ = depth_;
      }
    }
    if (service == service_type::image && key == "instance_uuid") f.roles |= role_instance;
    // Cinder's references to a server or a volume another agent made: read by their markers.
    if (service == service_type::volume && (key == "server_id" || key == "instance")) {
      f.roles |= role_network_ref;
      f.ref_service = service_type::compute;
      f.network_ref_path = "/v2.1/servers/";
    } else if (service == service_type::volume && key == "volume_id") {
      f.roles |= role_network_ref;
      f.ref_service = service_type::volume;
      f.network_ref_path = "/v3/volumes/";
    }
    // A server's attached volume (an object in its volumes_attached array): another agent's
    // is named by its marker, as the tree's collect_references reads it (agent/flows/federation.cpp).
    if (service == service_type::compute && key == "os-extended-volumes:volumes_attached") f.roles |= role_volumes;
    if (service == service_type::compute && key == "id" && depth_ >= 3 && !frames_[depth_ - 2].is_object &&
        (frames_[depth_ - 3].roles & role_volumes)) {
      f.roles |= role_network_ref;
      f.ref_service = service_type::volume;
      f.network_ref_path = "/v3/volumes/";
    }
    if (service == service_type::compute || service == service_type::volume) {
      if (key == "metadata") f.roles |= role_metadata;
      if (key == "image" && service == service_type::compute) f.roles |= role_image;
    } else if (service == service_type::network) {
      if (key == "tags") f.roles |= role_tags;
      if (key == "description") f.roles |= role_description;
      if (key == "network_id") {
        f.roles |= role_network_ref;
        f.network_ref_path = "/v2.0/networks/";
      } else if (key == "subnet_id") {
        f.roles |= role_network_ref;
        f.network_ref_path = "/v2.0/subnets/";
      }
    }
    if (f.roles & role_metadata) f.held.clear();
    if (f.roles & role_tags) f.from_tags.reset();
    if (f.item && suppress_ == 0) {
      for (std::size_t i = 0; i < options_->wanted.size(); ++i)
        if (key == options_->wanted[i]) f.wanted_slot = static_cast<int>(i);
      for (std::size_t i = 0; i < options_->replaceable.size(); ++i)
        if (key == options_->replaceable[i]) {
          f.replace_slot = static_cast<int>(i);
          f.replace_edit = out_->edits.size();
          scan_edit e;
          e.what = scan_edit::kind::member_value;
          e.span.begin = p_;
          e.slot = static_cast<unsigned short>(i);
          out_->edits.push_back(e);
        }
    }
  }

  void begin_item() {
    scanned_item item;
    item.span.begin = p_;
    item.edits_begin = out_->edits.size();
    item.members_begin = out_->members.size();
    out_->items.push_back(item);
    item_marks_ = {out_->markers.size(), out_->uuids.size(), out_->references.size()};
  }

  /// The member or element just read ends at p_ (before a comma or the closer).
  void end_member(bool comma_follows) {
    frame& f = top();
    std::size_t value_end = last_value_end_;
    if (f.is_object && f.replace_slot >= 0) out_->edits[f.replace_edit].span.end = value_end;
    if (f.wanted_slot >= 0 && !f.removing)
      out_->members.push_back({static_cast<unsigned short>(f.wanted_slot), {f.value_start, value_end}});
    if (f.removing) {
      scan_edit e;
      e.what = scan_edit::kind::remove;
      if (f.kept > 0) {
        e.span = {f.last_comma, p_};
      } else {
        e.span = {f.member_start, comma_follows ? p_ + 1 : p_};
      }
      out_->edits.push_back(e);
      if (suppress_ == depth_) suppress_ = 0;
      f.removing = false;
    } else {
      ++f.kept;
    }
    if (f.collection) end_item(value_end);
  }

  void end_item(std::size_t end) {
    auto& item = out_->items.back();
    item.span.end = end;
    item.own = pending_own_;
    pending_own_.reset();
    if (item.own && item.own->is_copy) {
      // Hidden: nothing of it is translated.
      out_->markers.resize(item_marks_[0]);
      out_->uuids.resize(item_marks_[1]);
      out_->references.resize(item_marks_[2]);
      out_->edits.resize(item.edits_begin);   // its members stay: the paging rule reads copies too
    }
    item.edits_end = out_->edits.size();
    item.members_end = out_->members.size();
  }

  /// Reads the value at p_: a scalar whole, or a container's opening.
  bool value() {
    if (p_ >= t_.size()) return false;
    std::size_t start = p_;
    char c = t_[p_];
    if (c == '{' || c == '[') {
      bool object = c == '{';
      bool parent_object = !empty() && top().is_object;
      unsigned parent_roles = empty() ? 0 : top().roles;
      bool parent_collection = !empty() && top().collection;
      bool is_collection = collection_member_ && depth_ == 1 && !object;
      collection_member_ = false;
      ++p_;
      frame& f = push(object);
      if (is_collection) {
        f.collection = true;
        found_collection_ = true;
        ++in_items_;
      }
      if (parent_collection && object) f.item = true;
      if (in_items_ > 0 && options_) {
        auto service = options_->service;
        if (object && service == service_type::image) f.strip_markers = true;
        if (object && (service == service_type::compute || service == service_type::volume) && parent_object &&
            (parent_roles & role_metadata))
          f.strip_markers = true;
        if (!object && service == service_type::network && parent_object && (parent_roles & role_tags))
          f.strip_tags = true;
      }
      return true;
    }
    collection_member_ = false;
    if (c == '"') {
      bool escaped = false;
      if (!read_string(t_, p_, escaped)) return false;
      last_value_end_ = p_;
      if (options_ && in_items_ > 0) string_value({start, p_}, escaped);
      return true;
    }
    if (c == '-' || is_digit(c)) {
      if (!read_number(t_, p_)) return false;
    } else if (t_.substr(p_, 4) == "true" || t_.substr(p_, 4) == "null") {
      p_ += 4;
    } else if (t_.substr(p_, 5) == "false") {
      p_ += 5;
    } else {
      return false;
    }
    last_value_end_ = p_;
    if (options_ && in_items_ > 0 && !empty()) non_string_value();
    return true;
  }

  /// A member's value that is a number or a literal: what it resets.
  void non_string_value() {
    frame& f = top();
    if (!f.is_object) return;
    if (f.roles & role_id) f.id.reset();
    if (f.roles & role_marker_key) own_field(f).reset();
    if (f.roles & role_instance) f.own.instance_uuid.reset();
  }

  std::optional<std::string_view>& own_field(frame& f) {
    if (f.key == gid_key) return f.own.gid;
    if (f.key == copy_of_key) return f.own.copy_of;
    if (f.key == snapshot_of_key) return f.own.snapshot_of;
    if (f.key == multi_key) return f.own.multi;
    return f.own.attempt;
  }

  void string_value(byte_span span, bool escaped) {
    auto raw = t_.substr(span.begin + 1, span.end - span.begin - 2);
    std::string_view text = raw;
    if (escaped) {   // kept: the frame may hold a view of it
      out_->decoded.push_back(decode_json_string(raw, true));
      text = out_->decoded.back();
    }
    if (empty()) return;
    frame& f = top();
    if (f.is_object) {
      if (f.roles & role_id) f.id = text;
      if (f.roles & role_marker_key) own_field(f) = text;
      if (f.roles & role_instance) f.own.instance_uuid = text;
      if (suppress_ != 0) return;
      if ((f.roles & role_description) && pending_token(text)) {
        scan_edit e;
        e.what = scan_edit::kind::empty_string;
        e.span = span;
        out_->edits.push_back(e);
        return;
      }
      if (f.roles & role_network_ref)
        out_->references.push_back({f.ref_service, std::string(f.network_ref_path), std::string(text)});
    } else if (f.strip_tags) {
      if (starts_with(text, attempt_tag_prefix) && is_attempt_token(text.substr(attempt_tag_prefix.size())))
        f.tags_attempt = text.substr(attempt_tag_prefix.size());
      for (bool is_copy : {false, true}) {
        auto prefix = is_copy ? copy_tag : gid_tag;
        if (f.tags_marker || !starts_with(text, prefix)) continue;
        auto id = text.substr(prefix.size());
        if (is_global_id(id)) f.tags_marker = marker{std::string(id), is_copy, {}};
      }
      // Every tag of the federation goes, as in strip_marker (global_id.cpp).
      if (starts_with(text, federation_tag_prefix) && suppress_ == 0) {
        f.removing = true;
        suppress_ = depth_;
        return;
      }
    }
    if (recording()) on_string(span, text, escaped, false);
  }

  /// A string that is not removed: its UUIDs, and an edit if it may change.
  void on_string(byte_span span, std::string_view text, bool escaped, bool is_key) {
    std::size_t shortest = uuid_length;
    if (!is_key && !from_root_.empty()) shortest = std::min(shortest, from_root_.size());
    if (text.size() < shortest) return;
    bool changes = false;
    std::string_view stored;   // `text` where it lives as long as the page
    for (auto at = find_uuid(text, 0); at != std::string_view::npos; at = find_uuid(text, at + uuid_length)) {
      if (stored.empty()) {
        if (escaped && !is_key) {
          stored = text;   // already in list_scan::decoded
        } else if (escaped) {
          out_->decoded.emplace_back(text);
          stored = out_->decoded.back();
        } else {
          stored = text;   // a view into the page's text
        }
      }
      out_->uuids.push_back(stored.substr(at, uuid_length));
      changes = true;
    }
    if (!changes && !is_key && !from_root_.empty() && text.find(from_root_) != std::string_view::npos)
      changes = true;
    if (!changes) return;
    scan_edit e;
    e.what = scan_edit::kind::string;
    e.span = span;
    e.is_key = is_key;
    e.escaped = escaped;
    out_->edits.push_back(e);
  }

  /// The container at the top ends: what its parent learns.
  bool close() {
    frame& f = top();
    last_value_end_ = p_;
    bool recorded = options_ && in_items_ > 0;
    std::optional<marker> own;
    std::string_view id;
    bool has_id = false;
    marker_fields own_fields;
    std::optional<marker> tags_marker;
    std::optional<std::string_view> tags_attempt;
    bool was_item = f.item, was_collection = f.collection, object = f.is_object;
    if (recorded && object) {
      auto service = options_->service;
      if (service == service_type::image) own = image_marker_of(f.own);
      if (service == service_type::compute || service == service_type::volume) own = marker_of(f.held);
      if (service == service_type::network) own = f.from_tags;
      if (f.id) {
        has_id = true;
        id = *f.id;
      }
      // api/global_id.cpp's server_marker: each server of a boot of several its own ID.
      if (service == service_type::compute && own && !own->is_copy && has_id && f.held.multi == "1")
        if (auto derived = server_global_id(own->global_id, id)) {
          own->shared_id = std::move(own->global_id);
          own->global_id = std::move(*derived);
        }
      if (own && has_id && suppress_ == 0) out_->markers.push_back({std::string(id), own->global_id, own->is_copy});
      own_fields = std::move(f.own);
    } else if (recorded && f.strip_tags) {
      tags_marker = std::move(f.tags_marker);
      tags_attempt = std::move(f.tags_attempt);
    }
    if (was_collection) --in_items_;
    --depth_;
    if (was_item) pending_own_ = own;
    if (empty() || !recorded || was_collection) return true;
    frame& parent = top();
    if (!parent.is_object) return true;
    if (object && (parent.roles & role_metadata)) parent.held = std::move(own_fields);
    if (!object && (parent.roles & role_tags)) {
      parent.from_tags = std::move(tags_marker);
      if (parent.from_tags && tags_attempt) parent.from_tags->attempt = std::string(*tags_attempt);
    }
    if (object && (parent.roles & role_image) && has_id && suppress_ == 0)
      out_->references.push_back({service_type::image, "/v2/images/", std::string(id)});
    if (parent.roles & role_id) parent.id.reset();
    if (parent.roles & role_marker_key) own_field(parent).reset();
    if (parent.roles & role_instance) parent.own.instance_uuid.reset();
    return true;
  }

  /// A name classify compares with: its (first byte, length) pair is marked, so that one
  /// table read rules out most members' names before any comparison (the profile's memcmp).
  void name_may_matter(std::string_view name) {
    if (name.empty() || name.size() >= 64 || static_cast<unsigned char>(name[0]) >= 128) return;   // always compared
    lengths_by_first_[static_cast<unsigned char>(name[0])] |= std::uint64_t{1} << name.size();
  }
  bool may_matter(std::string_view key) const {
    if (key.empty() || key.size() >= 64 || static_cast<unsigned char>(key[0]) >= 128) return true;
    return (lengths_by_first_[static_cast<unsigned char>(key[0])] >> key.size()) & 1u;
  }

  std::string_view t_;
  std::string_view collection_;
  const scan_options* options_;
  list_scan* out_;
  std::size_t p_ = 0;
  std::string_view from_root_;
  std::deque<frame> frames_;   // a deque: a frame's key may point into its own key_buffer
  std::size_t depth_ = 0;
  std::size_t suppress_ = 0;        // the depth whose member is being removed, 0: none
  int in_items_ = 0;
  bool collection_member_ = false;  // the value about to be read is the top-level `collection` member
  bool found_collection_ = false;
  std::size_t last_value_end_ = 0;
  std::optional<marker> pending_own_;
  std::array<std::size_t, 3> item_marks_{};
  std::array<std::uint64_t, 128> lengths_by_first_{};   // bit n of [c]: a name of length n starting with c
};

} // namespace

void list_scan::clear() {
  items.clear();
  edits.clear();
  members.clear();
  markers.clear();
  uuids.clear();
  references.clear();
  decoded.clear();
}

bool is_json(std::string_view text) {
  return page_walker(text, {}, nullptr, nullptr).run();
}

bool scan_list_page(std::string_view text, std::string_view collection, const scan_options& options,
                    list_scan& out) {
  out.clear();
  return page_walker(text, collection, &options, &out).run();
}

std::string decode_json_string(std::string_view raw, bool escaped) {
  if (!escaped) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned cp = 0;
        read_hex4(raw, i + 1, cp);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned low = 0;
          read_hex4(raw, i + 3, low);
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default: out.push_back(e);   // " \ /
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t copied = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    i = skip_plain_ascii(text, i);   // bytes >= 0x80 stop it too, and pass below
    if (i >= text.size()) break;
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(copied, i - copied));
    copied = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
    }
  }
  out.append(text.substr(copied));
  out.push_back('"');
}

namespace {

/// A string edit: the string's text through the ID map, and (a value) the cloud's root made the agent's.
void write_string(std::string& out, std::string_view text, const scan_edit& e, const write_options& o) {
  auto raw = text.substr(e.span.begin + 1, e.span.end - e.span.begin - 2);
  std::string decoded;
  std::string_view value = raw;
  if (e.escaped) {
    decoded = decode_json_string(raw, true);
    value = decoded;
  }
  std::string rewritten;
  std::size_t copied = 0;
  bool changed = false;
  for (auto at = o.ids ? find_uuid(value, 0) : std::string_view::npos; at != std::string_view::npos;
       at = find_uuid(value, at + uuid_length)) {
    auto found = o.ids->find(value.substr(at, uuid_length));
    if (found == o.ids->end()) continue;
    rewritten.append(value.substr(copied, at - copied));
    rewritten.append(found->second);
    copied = at + uuid_length;
    changed = true;
  }
  if (changed) {
    rewritten.append(value.substr(copied));
    value = rewritten;
  }
  auto from_root = without_trailing_slashes(o.from_root);
  if (!e.is_key && !from_root.empty() && value.find(from_root) != std::string_view::npos) {
    auto moved = rewrite_url_prefix(value, from_root, o.to_root);
    if (moved != value) {
      rewritten = std::move(moved);
      value = rewritten;
      changed = true;
    }
  }
  if (!changed) {
    out.append(text.substr(e.span.begin, e.span.end - e.span.begin));
    return;
  }
  append_json_string(out, value);
}

} // namespace

void write_span(std::string& out, std::string_view text, byte_span span, const scan_edit* edits_begin,
                const scan_edit* edits_end, const write_options& o) {
  std::size_t at = span.begin;
  for (const auto* e = edits_begin; e != edits_end; ++e) {
    if (e->span.begin < at || e->span.end > span.end) continue;   // outside, or inside a replaced one
    out.append(text.substr(at, e->span.begin - at));
    at = e->span.begin;
    switch (e->what) {
      case scan_edit::kind::remove:
        at = e->span.end;
        break;
      case scan_edit::kind::empty_string:
        out.append("\"\"");
        at = e->span.end;
        break;
      case scan_edit::kind::string:
        write_string(out, text, *e, o);
        at = e->span.end;
        break;
      case scan_edit::kind::member_value:
        if (o.replacements && o.replacements[e->slot]) {
          out.append(*o.replacements[e->slot]);
          at = e->span.end;
        }
        break;
    }
  }
  out.append(text.substr(at, span.end - at));
}

} // namespace fedstack::api
