#pragma once
// Version discovery documents, shaped like OpenStack Zed's (see the captures in
// tests/unit/data/), with hrefs under the agent's base URL B.

#include "api/microversion.hpp"
#include "api/route.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedstack::api {

/// A document to answer with: status, JSON body, and extra headers (e.g. `Location`).
/// The body is always `application/json`.
struct document {
  int status = 200;
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// `GET /`: Keystone's list (300 Multiple Choices, `Location: B/v3/`), one entry v3.14.
document identity_version_list(std::string_view agent_base);

/// `GET /v3`: Keystone's v3.14 document, self href `B/v3/`.
document identity_version_doc(std::string_view agent_base);

/// `GET /image` (300, `multiple_choices`) or `GET /image/versions` (200): Glance's list
/// v2.16 (CURRENT) down to v2.0 (SUPPORTED), every href `B/image/v2/`.
document image_version_list(std::string_view agent_base, bool multiple_choices);

/// `GET /network`: Neutron's list, one entry v2.0 (CURRENT), href `B/network/v2.0/`.
document network_version_list(std::string_view agent_base);

/// `GET /network/v2.0/`: Neutron's resources document (network, subnet, subnetpool, port)
/// with hrefs `B/network/v2.0/<collection>`.
document network_resources_doc(std::string_view agent_base);

/// `GET /compute`: Nova's list (200): v2.0 SUPPORTED (`B/compute/v2/`) and v2.1 CURRENT
/// (`B/compute/v2.1/`) with `version` = range.max and `min_version` = range.min.
document compute_version_list(std::string_view agent_base, const microversion_range& range);

/// `GET /compute/v2.1[/<project>]`: Nova's v2.1 document; with `legacy_v2`, the document of
/// `GET /compute/v2` (id v2.0, empty version strings).
document compute_version_doc(std::string_view agent_base, const microversion_range& range,
                             bool legacy_v2 = false);

/// `GET /volume` (300, as Cinder's root) or `GET /volume/v3[/<project>]` (200): Cinder's list,
/// one entry v3.0 (CURRENT) with `version` = range.max, `min_version` = range.min, href
/// `B/volume/v3/`.
document volume_version_list(std::string_view agent_base, const microversion_range& range, bool multiple_choices);

/// The document a `version_list` or `version_doc` route asks for; nullopt for other routes.
std::optional<document> version_document(const route& r, std::string_view agent_base,
                                         const microversion_range& compute_range,
                                         const microversion_range& volume_range = cinder_zed_range);

} // namespace fedstack::api
