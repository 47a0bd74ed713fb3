// Schema-checked YAML access: unknown keys, wrong types, bad addresses and
// missing files become "file:line: path: message" errors.
#include "config/schema.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <sstream>

namespace tocsin::config {

std::string_view to_string(Type t) {
  static constexpr std::array<std::string_view, 12> names{
      "string", "integer", "boolean", "duration", "size", "address", "file", "path", "list of strings", "choice",
      "map", "list of maps"};
  return names[static_cast<std::size_t>(t)];
}

const Key* Section::find(std::string_view name) const {
  for (const auto& k : keys)
    if (k.name == name) return &k;
  return nullptr;
}

std::string Endpoint::str() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "123unit" into the number and the unit.
bool split_number(std::string_view text, std::uint64_t& number, std::string_view& unit) {
  text = trim(text);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data()) return false;
  unit = trim(std::string_view(end, text.data() + text.size() - end));
  return true;
}
}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::uint64_t n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
      {"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (const auto& [name, factor] : units)
    if (unit == name) return std::chrono::milliseconds(n * factor);
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
      {"", 1},          {"B", 1},         {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30},
      {"KB", 1000},     {"MB", 1000000},  {"GB", 1000000000},  {"k", 1000},         {"K", 1ULL << 10}};
  for (const auto& [name, factor] : units)
    if (unit == name) return n * factor;
  return std::nullopt;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  text = trim(text);
  Endpoint e;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    e.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    e.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned char buf[sizeof(in6_addr)];
  int family = e.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, e.host.c_str(), buf) != 1) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return std::nullopt;
  e.port = static_cast<std::uint16_t>(value);
  return e;
}

void Errors::add(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  int line = mark.line >= 0 ? mark.line + 1 : 1;
  messages_.push_back(file + ":" + std::to_string(line) + ": " + message);
}

void Errors::add(const std::string& message) { messages_.push_back(message); }

std::string Errors::joined() const {
  std::string out;
  for (const auto& m : messages_) out += m + "\n";
  return out;
}

namespace {
// An absent key yields an invalid YAML::Node that cannot even be reassigned;
// an empty map stands in for it so that defaults apply.
YAML::Node usable(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return YAML::Node(YAML::NodeType::Map);
  return node;
}
}  // namespace

Node::Node(YAML::Node node, const Section& section, std::string file, std::string path, Errors& errors)
    : node_(usable(node)), section_(&section), file_(std::move(file)), path_(std::move(path)), errors_(&errors) {
  if (!node_.IsMap()) {
    errors_->add(file_, node_.Mark(), path_ + ": expected a map of settings (" + section.help + ")");
    node_.reset(YAML::Node(YAML::NodeType::Map));
    return;
  }
  for (const auto& kv : node_) {
    std::string name = kv.first.Scalar();
    if (!section_->find(name)) {
      std::string known;
      for (const auto& k : section_->keys) known += (known.empty() ? "" : ", ") + k.name;
      errors_->add(file_, kv.first.Mark(), key_path(name) + ": unknown key; known keys here: " + known);
    }
  }
  for (const auto& k : section_->keys)
    if (k.required && !present(k.name))
      errors_->add(file_, node_.Mark(), key_path(k.name) + ": required key is missing (" + k.help + ")");
}

bool Node::present(std::string_view key) const {
  auto v = node_[std::string(key)];
  return v && !v.IsNull();
}

std::string Node::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const Key& Node::declared(std::string_view key) const {
  const Key* k = section_->find(key);
  if (!k) throw std::logic_error("config key not declared in section " + section_->path + ": " + std::string(key));
  return *k;
}

YAML::Mark Node::mark(std::string_view key) const {
  for (const auto& kv : node_)
    if (kv.first.Scalar() == key) return kv.second.Mark().line >= 0 ? kv.second.Mark() : kv.first.Mark();
  return node_.Mark();
}

YAML::Node Node::value(std::string_view key) const {
  const Key& k = declared(key);
  auto v = node_[std::string(key)];
  if (v && !v.IsNull()) return v;
  if (!k.default_value.empty()) {
    // Scalars are taken literally ("{host}" is a template, not a YAML map).
    bool collection = k.type == Type::string_list || k.type == Type::map || k.type == Type::list;
    return collection ? YAML::Load(k.default_value) : YAML::Node(k.default_value);
  }
  return YAML::Node(YAML::NodeType::Undefined);  // absent: getters return their empty value
}

YAML::Node Node::raw(std::string_view key) const {
  declared(key);
  return node_[std::string(key)];
}

void Node::error(std::string_view key, const std::string& message) const {
  errors_->add(file_, mark(key), key_path(key) + ": " + message);
}

void Node::error(const std::string& message) const { errors_->add(file_, node_.Mark(), path_ + ": " + message); }

std::string Node::string(std::string_view key) const {
  auto v = value(key);
  if (!v) return {};
  if (!v.IsScalar()) {
    error(key, "expected a string");
    return {};
  }
  return v.Scalar();
}

std::int64_t Node::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  auto v = value(key);
  if (!v) return 0;
  std::int64_t out = 0;
  if (!v.IsScalar() || !YAML::convert<std::int64_t>::decode(v, out)) {
    error(key, "expected an integer, got '" + (v.IsScalar() ? v.Scalar() : std::string("a collection")) + "'");
    return std::max<std::int64_t>(min, 0);
  }
  if (out < min || out > max) {
    error(key, std::to_string(out) + " is out of range; expected " + std::to_string(min) + " to " +
                   std::to_string(max));
    return std::clamp(out, min, max);
  }
  return out;
}

bool Node::boolean(std::string_view key) const {
  auto v = value(key);
  bool out = false;
  if (v && (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)))
    error(key, "expected true or false, got '" + (v.IsScalar() ? v.Scalar() : std::string("a collection")) + "'");
  return out;
}

std::chrono::milliseconds Node::duration(std::string_view key) const {
  auto v = value(key);
  if (!v) return {};
  auto d = v.IsScalar() ? parse_duration(v.Scalar()) : std::nullopt;
  if (!d) error(key, "expected a duration such as 500ms, 30s, 5m, 2h or 1d");
  return d.value_or(std::chrono::milliseconds{});
}

std::uint64_t Node::size(std::string_view key) const {
  auto v = value(key);
  if (!v) return 0;
  auto s = v.IsScalar() ? parse_size(v.Scalar()) : std::nullopt;
  if (!s) error(key, "expected a size such as 65536, 64KiB, 8MiB or 1GiB");
  return s.value_or(0);
}

std::optional<Endpoint> Node::address(std::string_view key) const {
  auto v = value(key);
  if (!v) return std::nullopt;
  auto e = v.IsScalar() ? parse_endpoint(v.Scalar()) : std::nullopt;
  if (!e)
    error(key, "'" + (v.IsScalar() ? v.Scalar() : std::string("?")) +
                   "' is not an address; expected IP:PORT such as 127.0.0.1:5514 or [::1]:5514");
  return e;
}

std::string Node::file(std::string_view key) const {
  std::string path = string(key);
  if (!path.empty() && ::access(path.c_str(), R_OK) != 0)
    error(key, "cannot read file '" + path + "': " + std::strerror(errno));
  return path;
}

std::vector<std::string> Node::string_list(std::string_view key) const {
  auto v = value(key);
  std::vector<std::string> out;
  if (!v) return out;
  if (v.IsScalar()) return {v.Scalar()};
  if (!v.IsSequence()) {
    error(key, "expected a list of strings");
    return out;
  }
  for (const auto& item : v) {
    if (!item.IsScalar()) {
      error(key, "expected a list of strings; an item is a collection");
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::string Node::choice(std::string_view key) const {
  std::string s = string(key);
  const Key& k = declared(key);
  for (const auto& c : k.choices)
    if (c == s) return s;
  std::string allowed;
  for (const auto& c : k.choices) allowed += (allowed.empty() ? "" : ", ") + c;
  error(key, "'" + s + "' is not allowed; expected one of: " + allowed);
  return k.default_value;
}

Node Node::map(std::string_view key, const Section& section) const {
  declared(key);
  return Node(node_[std::string(key)], section, file_, key_path(key), *errors_);
}

std::vector<Node> Node::list(std::string_view key, const Section& item_section) const {
  declared(key);
  std::vector<Node> out;
  auto v = node_[std::string(key)];
  if (!v || v.IsNull()) return out;
  if (!v.IsSequence()) {
    error(key, "expected a list");
    return out;
  }
  std::size_t i = 0;
  for (const auto& item : v) {
    std::string p = key_path(key) + "[" + std::to_string(i++) + "]";
    if (!item.IsMap()) {
      errors_->add(file_, item.Mark(), p + ": expected a map (" + item_section.help + ")");
      continue;
    }
    out.emplace_back(item, item_section, file_, p, *errors_);
  }
  return out;
}

std::string reference_markdown(const std::vector<const Section*>& sections) {
  std::ostringstream out;
  for (const Section* s : sections) {
    out << "## `" << s->path << "`\n\n" << s->help << "\n\n";
    out << "| key | type | default | meaning |\n|---|---|---|---|\n";
    for (const auto& k : s->keys) {
      std::string type(to_string(k.type));
      if (k.type == Type::choice) {
        type = "one of";
        for (const auto& c : k.choices) type += " `" + c + "`";
      }
      std::string def = k.required ? "required" : (k.default_value.empty() ? "" : "`" + k.default_value + "`");
      out << "| `" << k.name << "` | " << type << " | " << def << " | " << k.help << " |\n";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace tocsin::config
