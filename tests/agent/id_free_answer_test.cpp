// Which relayed answers skip the ID scan (agent/rules/id_free_answer.hpp).

#include <gtest/gtest.h>

#include "agent/rules/id_free_answer.hpp"

namespace fedstack::agent {
namespace {

bool skips(const char* target) { return answer_names_no_resource(api::classify("GET", target)); }

TEST(IdFreeAnswer, SchemasAndExtensionsNameNoResource) {
  EXPECT_TRUE(skips("/image/v2/schemas/image"));
  EXPECT_TRUE(skips("/v2/schemas/images"));
  EXPECT_TRUE(skips("/v2.0/extensions"));
  EXPECT_TRUE(skips("/network/v2.0/extensions/router"));
}

TEST(IdFreeAnswer, ResourcesAndTheirCollectionsAreStillScanned) {
  const char* scanned[] = {"/image/v2/images", "/image/v2/images/6a3e1c2b-9f0d-4b7a-8e5c-1d2f3a4b5c6d",
                           "/v2.0/networks", "/v2.0/ports/6a3e1c2b-9f0d-4b7a-8e5c-1d2f3a4b5c6d",
                           "/compute/v2.1/servers/detail", "/compute/v2.1/extensions", "/compute/v2.1/os-hypervisors",
                           "/volume/v3/0123456789abcdef0123456789abcdef/volumes", "/v3/projects", "/", "/v2.0/"};
  for (const char* target : scanned) EXPECT_FALSE(skips(target)) << target;
}

} // namespace
} // namespace fedstack::agent
