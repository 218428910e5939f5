#pragma once
// Counts the connections a server holds, in total and per client address, so
// that one client (or a slowloris) cannot take every connection the agent can
// serve. A slot is taken on accept and given back when the session ends.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fedstack::http {

enum class connection_refusal { per_client, total };
std::string_view to_string(connection_refusal r) noexcept;

class connection_slots : public std::enable_shared_from_this<connection_slots> {
public:
  /// 0 means unlimited.
  connection_slots(std::size_t max_total, std::size_t max_per_client);

  /// Gives its slot back when destroyed.
  class slot {
  public:
    slot(std::shared_ptr<connection_slots> owner, std::string client);
    slot(slot&&) noexcept = default;
    slot& operator=(slot&&) = delete;   // would drop the slot it overwrites
    ~slot();

  private:
    std::shared_ptr<connection_slots> owner_;
    std::string client_;
  };

  struct admission {
    std::optional<slot> taken;               // set when admitted
    connection_refusal refusal{};            // why not, otherwise
  };
  admission try_take(const std::string& client);

  std::size_t open() const;
  std::size_t open_from(const std::string& client) const;

private:
  void give_back(const std::string& client);

  const std::size_t max_total_;
  const std::size_t max_per_client_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t, std::less<>> per_client_;
};

} // namespace fedstack::http
