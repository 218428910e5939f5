#pragma once
// The clock of fedstack's timestamps: milliseconds since the Unix epoch, as
// the registry's entries and abandoned attempts, capacity reports and
// placement decisions carry them. In namespace fedstack so every layer
// (storage, actors, agent, cmd) calls the one definition as now_unix_ms().

#include <chrono>
#include <cstdint>

namespace fedstack {

inline std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace fedstack
