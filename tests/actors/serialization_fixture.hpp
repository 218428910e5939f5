#pragma once
// An actor system with every fedstack type registered, and binary round trips
// through CAF's serializer, as messages travel between agents.

#include <gtest/gtest.h>

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"

namespace fedstack::test {

struct registered_config : caf::actor_system_config {
  registered_config() { register_types(*this); }
};

struct serialization_fixture : ::testing::Test {
  registered_config cfg;
  caf::actor_system sys{cfg};

  template <class T>
  std::vector<char> save(T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto err = sink(x);
    EXPECT_FALSE(err) << sys.render(err);
    return buf;
  }

  template <class T>
  caf::error load(const std::vector<char>& buf, T& x) {
    caf::binary_deserializer source{sys, buf};
    return source(x);
  }
};

} // namespace fedstack::test
