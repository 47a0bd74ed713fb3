// Event vocabulary helpers and the fingerprint.
#include "correlator/event.hpp"

#include <array>
#include <charconv>

namespace tocsin {
namespace {
constexpr std::array<std::string_view, 6> severity_names{"clear", "info", "warning", "minor", "major", "critical"};
constexpr std::array<std::string_view, 3> kind_names{"problem", "clear", "info"};

// FNV-1a, 64 bit: cheap, stable, and good enough to key a hash index; the
// fingerprint also keeps the readable identity so collisions cannot merge alerts.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}
}  // namespace

std::string_view to_string(Severity s) { return severity_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(EventKind k) { return kind_names[static_cast<std::size_t>(k)]; }

std::optional<Severity> parse_severity(std::string_view s) {
  for (std::size_t i = 0; i < severity_names.size(); ++i)
    if (severity_names[i] == s) return static_cast<Severity>(i);
  return std::nullopt;
}

std::optional<EventKind> parse_event_kind(std::string_view s) {
  for (std::size_t i = 0; i < kind_names.size(); ++i)
    if (kind_names[i] == s) return static_cast<EventKind>(i);
  return std::nullopt;
}

const std::string* Event::attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return &v;
  return nullptr;
}

std::string fingerprint(const Event& e) {
  // Readable and unambiguous: fields are length-prefixed so "a|b" + "c" never
  // equals "a" + "b|c". The bytes "<len>:<part>;" of each part are hashed as
  // they come, without building the string (stored fingerprints depend on them).
  std::uint64_t h = 14695981039346656037ULL;
  auto add = [&h](std::string_view part) {
    char digits_of_size[24];
    auto [end, ec] = std::to_chars(digits_of_size, digits_of_size + sizeof digits_of_size, part.size());
    (void)ec;
    h = fnv1a(std::string_view(digits_of_size, static_cast<std::size_t>(end - digits_of_size)), h);
    h = fnv1a(":", h);
    h = fnv1a(part, h);
    h = fnv1a(";", h);
  };
  add(e.resource);
  add(e.alert_key.empty() ? e.name : e.alert_key);
  for (const auto& key : e.fingerprint_keys) {
    add(key);
    const std::string* v = e.attribute(key);
    add(v ? *v : std::string_view{});
  }
  char hex[16];
  static constexpr char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = digits[h & 0xf];
  return std::string(hex, 16);
}

std::uint64_t fingerprint_key(std::string_view fp) {
  std::uint64_t key = 0;
  if (fp.size() == 16) {
    const auto [end, ec] = std::from_chars(fp.data(), fp.data() + fp.size(), key, 16);
    if (ec == std::errc{} && end == fp.data() + fp.size()) return key;
  }
  return std::hash<std::string_view>{}(fp);
}

}  // namespace tocsin
