#pragma once
// Config is a schema: every component declares one table of keys (name, type,
// default, help). The same table validates a YAML map (unknown keys and wrong
// types are errors with file:line), supplies the defaults, and generates the
// reference documentation (docs/config.md, `tocsind --config-reference`).

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::config {

enum class Type { string, integer, boolean, duration, size, address, file, path, string_list, choice, map, list };

std::string_view to_string(Type t);

struct Key {
  std::string name;
  Type type = Type::string;
  std::string default_value;  // as written in YAML; "" = no default
  std::string help;
  std::vector<std::string> choices = {};  // for Type::choice
  bool required = false;
};

struct Section {
  std::string path;  // dotted, "[]" for list items: "syslog.udp[]"
  std::string help;
  std::vector<Key> keys;
  const Key* find(std::string_view name) const;
};

struct Endpoint {
  std::string host;  // IP literal (v4 or v6, without brackets)
  std::uint16_t port = 0;
  std::string str() const;  // "127.0.0.1:5514", "[::1]:5514"
};

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::uint64_t> parse_size(std::string_view text);
std::optional<Endpoint> parse_endpoint(std::string_view text);

// Collected start-up errors: "file:line: path.key: what is wrong and what would be right".
class Errors {
 public:
  void add(const std::string& file, const YAML::Mark& mark, const std::string& message);
  void add(const std::string& message);
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  std::string joined() const;

 private:
  std::vector<std::string> messages_;
};

// A YAML map checked against its Section. Getters return the value or the
// section's default; a value of the wrong type is reported once and the
// default used, so that one run lists every error.
class Node {
 public:
  Node(YAML::Node node, const Section& section, std::string file, std::string path, Errors& errors);

  bool present(std::string_view key) const;
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  bool boolean(std::string_view key) const;
  std::chrono::milliseconds duration(std::string_view key) const;
  std::uint64_t size(std::string_view key) const;
  std::optional<Endpoint> address(std::string_view key) const;
  std::string file(std::string_view key) const;  // must exist and be readable when set
  std::vector<std::string> string_list(std::string_view key) const;
  std::string choice(std::string_view key) const;
  // Sub-map and list items, checked against their own sections.
  Node map(std::string_view key, const Section& section) const;  // absent: an empty map (defaults)
  std::vector<Node> list(std::string_view key, const Section& item_section) const;
  // Raw access for free-form maps (e.g. attribute templates).
  YAML::Node raw(std::string_view key) const;

  void error(std::string_view key, const std::string& message) const;
  void error(const std::string& message) const;
  const std::string& path() const { return path_; }
  const std::string& file_name() const { return file_; }
  int line() const { return node_.Mark().line + 1; }
  Errors& errors() const { return *errors_; }

 private:
  YAML::Node value(std::string_view key) const;  // the value or the default as YAML
  std::string key_path(std::string_view key) const;
  YAML::Mark mark(std::string_view key) const;
  const Key& declared(std::string_view key) const;

  YAML::Node node_;
  const Section* section_;
  std::string file_;
  std::string path_;
  Errors* errors_;
};

// Markdown reference of the given sections, in order.
std::string reference_markdown(const std::vector<const Section*>& sections);

}  // namespace tocsin::config
