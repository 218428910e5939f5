#pragma once
// What the federation does with a boot's keypair on another cloudlet, and
// which same-named keypairs a delete may remove (docs/federation.md,
// "Keypairs follow the boot"). Nova keeps keypairs per user and by name, with
// no metadata to mark a copy: the agent that makes a copy records it beside
// its registry (LMDB meta) under a key naming the cloudlet, the user, the
// keypair and its fingerprint, so a keypair that holds another public key is
// never taken for the copy; the record's value is the marker the copy carries
// in its public key's comment (a global ID naming that agent), which lets
// another agent ask it whether it made that very copy.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// A keypair as Nova shows it (`{"keypair": {...}}` or an item of the list).
struct keypair_view {
  std::string name;
  std::string public_key;
  std::string fingerprint;
  std::string type;   // "ssh" or "x509"; empty below microversion 2.2
};

/// The keypair in a Nova answer's body; nullopt when it has no name, key or fingerprint.
std::optional<keypair_view> read_keypair(const nlohmann::json& body);

/// What a boot's target cloudlet needs for the keypair of the agent's own cloudlet.
enum class keypair_step {
  use,      // the target holds the same public key under that name: boot as is
  copy,     // the target holds no keypair of that name: make the copy there
  refuse,   // the target holds another public key under that name: never replaced
};

keypair_step keypair_step_for(const keypair_view& source, const std::optional<keypair_view>& there);

/// The create body of a copy of `source` (name, public key and, when known, type).
nlohmann::json keypair_copy_body(const keypair_view& source);

/// The meta key that records a copy the federation made on `cloudlet`: one
/// user's keypair of that name and fingerprint. Nullopt when it would exceed the
/// store's 200 bytes (a name near Nova's 255 characters): such a keypair is not copied.
std::optional<std::string> keypair_copy_key(const std::string& cloudlet, const std::string& user_id,
                                            const std::string& name, const std::string& fingerprint);

/// The meta values of a recorded copy that carries no marker (an x509
/// certificate has no comment; and every copy recorded before copies were
/// marked) and of one deleted since. A marked copy's record is its marker.
inline constexpr std::string_view keypair_copy_recorded = "copy";
inline constexpr std::string_view keypair_copy_gone = "";

/// The word that marks a copy, last in its public key's comment, followed by a
/// fresh global ID of the agent that made and recorded it (api/global_id.hpp
/// names that agent's node). Nova's fingerprint covers only the key's data, not
/// the comment, so a marked copy keeps the source's fingerprint.
inline constexpr std::string_view keypair_marker_word = "fedstack_copy=";

/// Whether a copy of `k` can carry a marker: an OpenSSH key ("type data [comment]").
bool keypair_markable(const keypair_view& k);

/// `public_key` (an OpenSSH key) with its comment's marker words taken out
/// (a source that is itself a copy) and `marker` added as the last word.
std::string marked_public_key(const std::string& public_key, const std::string& marker);

/// The global ID that `k`'s comment carries as its marker (the last marker word);
/// nullopt when none, or when it names no agent (not a global ID).
std::optional<std::string> keypair_marker(const keypair_view& k);

/// Whether a delete of keypair `name` through an agent removes the one `there`
/// on another cloudlet by that agent's own `record` (the meta value it stored
/// under keypair_copy_key of `there`'s fingerprint): a copy it made and still
/// holding that fingerprint, and, when the record is a marker, carrying that
/// marker. A keypair the user made directly there is kept.
bool delete_keypair_there(const std::optional<keypair_view>& there, const std::optional<std::string>& record);

/// Whether that delete removes `there` by the record of the agent its marker
/// names (`record`, asked of that agent under the same key): only when `there`
/// carries a marker and that agent recorded exactly that marker. A forged
/// marker, another user's or another key's, has no such record.
bool delete_copy_of_another_agent(const std::optional<keypair_view>& there, const std::optional<std::string>& record);

} // namespace fedstack::agent
