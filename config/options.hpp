#pragma once
// Command-line and config-file options, described once in a table so that
// `--help`, the config file parser and docs/configuration.md cannot drift apart.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fedstack::config {

/// One option: `--name value` on the command line, `name = value` in a file.
struct option {
  std::string name;
  std::string default_value;
  std::string help;
  /// Applies a value; returns an error message for a bad value.
  std::function<std::optional<std::string>(const std::string&)> apply;
  bool is_flag = false;   // takes no value on the command line
};

/// An ordered set of options for one subcommand.
class option_set {
public:
  explicit option_set(std::string command) : command_(std::move(command)) {}

  void add_string(std::string name, std::string* target, std::string help);
  void add_int(std::string name, long long* target, long long min, long long max, std::string help);
  void add_port(std::string name, unsigned short* target, std::string help);
  void add_flag(std::string name, bool* target, std::string help);

  /// Parses argv (after the subcommand). `--config FILE` loads a file first;
  /// command-line values win over the file's. Returns an error message or nullopt.
  /// Sets `help_requested` for -h/--help.
  std::optional<std::string> parse(const std::vector<std::string>& args);
  /// Parses "name = value" lines; '#' starts a comment.
  std::optional<std::string> parse_file(const std::string& path);

  bool help_requested() const { return help_requested_; }
  /// `--help` text.
  std::string usage(const std::string& summary) const;
  /// A Markdown table of the options (docs/configuration.md).
  std::string markdown() const;
  /// A config file for parse_file: each option's help as '# ' lines, then
  /// `# name = default`; options given to parse() (command line or file) follow
  /// uncommented with the value given. Throws std::invalid_argument for a given
  /// value parse_file could not read back ('#', line breaks, outer blanks).
  /// `header` comes first, as comment lines too.
  std::string config_file(const std::string& header) const;
  const std::vector<option>& options() const { return options_; }

private:
  const option* find(const std::string& name) const;
  std::string command_;
  std::vector<option> options_;
  /// Values parse() applied, by option name (the last one wins, as in apply).
  std::map<std::string, std::string> given_;
  bool help_requested_ = false;
};

} // namespace fedstack::config
