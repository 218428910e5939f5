#include "config/options.hpp"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fedstack::config {
namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::optional<long long> to_integer(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// Writes `text` as '# ' lines of at most 78 characters (a longer word keeps a line alone).
void write_comment(std::ostringstream& out, const std::string& text) {
  constexpr std::size_t width = 78 - 2;
  std::istringstream words{text};
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out << "# " << line << "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) out << "# " << line << "\n";
}

/// "name = value", or "name =" for an empty value (no trailing blank).
std::string assignment(const std::string& name, const std::string& value) {
  return value.empty() ? name + " =" : name + " = " + value;
}

} // namespace

void option_set::add_string(std::string name, std::string* target, std::string help) {
  options_.push_back({std::move(name), *target, std::move(help),
                      [target](const std::string& v) -> std::optional<std::string> {
                        *target = v;
                        return std::nullopt;
                      }});
}

void option_set::add_int(std::string name, long long* target, long long min, long long max,
                         std::string help) {
  auto label = name;
  options_.push_back({std::move(name), std::to_string(*target), std::move(help),
                      [target, min, max, label](const std::string& v) -> std::optional<std::string> {
                        auto value = to_integer(v);
                        if (!value || *value < min || *value > max)
                          return "--" + label + " wants an integer in [" + std::to_string(min) +
                                 ", " + std::to_string(max) + "], got '" + v + "'";
                        *target = *value;
                        return std::nullopt;
                      }});
}

void option_set::add_port(std::string name, unsigned short* target, std::string help) {
  auto label = name;
  options_.push_back({std::move(name), std::to_string(*target), std::move(help),
                      [target, label](const std::string& v) -> std::optional<std::string> {
                        auto value = to_integer(v);
                        if (!value || *value < 0 || *value > 65535)
                          return "--" + label + " wants a port in [0, 65535], got '" + v + "'";
                        *target = static_cast<unsigned short>(*value);
                        return std::nullopt;
                      }});
}

void option_set::add_flag(std::string name, bool* target, std::string help) {
  auto label = name;
  options_.push_back({std::move(name), *target ? "true" : "false", std::move(help),
                      [target, label](const std::string& v) -> std::optional<std::string> {
                        if (v == "true" || v == "1" || v == "yes") *target = true;
                        else if (v == "false" || v == "0" || v == "no") *target = false;
                        else return "--" + label + " wants true or false, got '" + v + "'";
                        return std::nullopt;
                      },
                      true});
}

const option* option_set::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

std::optional<std::string> option_set::parse_file(const std::string& path) {
  std::ifstream in{path};
  if (!in) return "cannot read config file '" + path + "'";
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    line = trim(line);
    if (line.empty()) continue;
    auto equals = line.find('=');
    if (equals == std::string::npos)
      return path + ":" + std::to_string(number) + ": expected 'name = value'";
    auto name = trim(line.substr(0, equals));
    auto value = trim(line.substr(equals + 1));
    const auto* o = find(name);
    if (!o) return path + ":" + std::to_string(number) + ": unknown option '" + name + "'";
    if (auto error = o->apply(value)) return path + ":" + std::to_string(number) + ": " + *error;
    given_[name] = value;
  }
  return std::nullopt;
}

std::optional<std::string> option_set::parse(const std::vector<std::string>& args) {
  // The config file first, so that the command line overrides it.
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string file;
    if (args[i] == "--config" && i + 1 < args.size()) file = args[i + 1];
    else if (args[i].rfind("--config=", 0) == 0) file = args[i].substr(9);
    if (!file.empty())
      if (auto error = parse_file(file)) return error;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return "unexpected argument '" + arg + "'";
    auto name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name.erase(equals);
    }
    if (name == "config") {
      if (!inline_value) ++i;
      continue;
    }
    const auto* o = find(name);
    if (!o) return "unknown option '--" + name + "' (see --help)";
    std::string value;
    if (inline_value) value = *inline_value;
    else if (o->is_flag) value = "true";
    else if (i + 1 < args.size()) value = args[++i];
    else return "option '--" + name + "' needs a value";
    if (auto error = o->apply(value)) return error;
    given_[name] = value;
  }
  return std::nullopt;
}

std::string option_set::usage(const std::string& summary) const {
  std::ostringstream out;
  out << "usage: fedstack " << command_ << " [options]\n\n" << summary << "\n\noptions:\n";
  out << "  --config FILE\n      read 'name = value' lines from FILE first (command line wins)\n";
  for (const auto& o : options_) {
    out << "  --" << o.name << (o.is_flag ? "" : " VALUE") << "\n      " << o.help;
    if (!o.default_value.empty()) out << " (default: " << o.default_value << ")";
    out << "\n";
  }
  return out.str();
}

std::string option_set::markdown() const {
  std::ostringstream out;
  out << "| option | default | meaning |\n|---|---|---|\n";
  for (const auto& o : options_)
    out << "| `" << o.name << "` | `" << o.default_value << "` | " << o.help << " |\n";
  return out.str();
}

std::string option_set::config_file(const std::string& header) const {
  std::ostringstream out;
  write_comment(out, header);
  for (const auto& o : options_) {
    out << "\n";
    write_comment(out, o.help);
    out << "# " << assignment(o.name, o.default_value) << "\n";
    auto given = given_.find(o.name);
    if (given == given_.end()) continue;
    const auto& value = given->second;
    if (value.find_first_of("#\r\n") != std::string::npos || trim(value) != value)
      throw std::invalid_argument("the value of --" + o.name + " ('" + value +
                                  "') cannot be written to a config file");
    out << assignment(o.name, value) << "\n";
  }
  return out.str();
}

} // namespace fedstack::config
