// Fields of a trap for the mapping rules, and the event of a trap no rule
// matches.
#include "collectors/snmp/mapper.hpp"

#include <deque>
#include <string>

#include "collectors/snmp/oid_names.hpp"

namespace tocsin::snmp {

namespace {

constexpr std::size_t kMaxMessage = 512;
constexpr std::string_view kIfTable = "1.3.6.1.2.1.2.2.1.";
constexpr std::string_view kIfXTable = "1.3.6.1.2.1.31.1.1.1.";

// Owns the strings the fields point into; a deque never moves its elements.
class FieldBuilder {
 public:
  void add(std::string_view name, std::string_view value) { fields_.add(name, value); }
  void add_owned(std::string name, std::string value) {
    store_.push_back(std::move(name));
    std::string_view n = store_.back();
    store_.push_back(std::move(value));
    fields_.add(n, store_.back());
  }
  std::string_view get(std::string_view name) const {
    auto* v = fields_.get(name);
    return v ? *v : std::string_view{};
  }
  Fields& fields() { return fields_; }

 private:
  std::deque<std::string> store_;
  Fields fields_;
};

std::string short_name(const Varbind& vb) { return vb.name.substr(0, vb.name.find('.')); }

// linkDown/linkUp carry ifIndex as a value, but many devices send only
// ifDescr.N or ifAdminStatus.N: the instance is the ifIndex then.
std::string derived_if_index(const Trap& trap) {
  for (const auto& vb : trap.varbinds) {
    std::string_view oid = vb.oid;
    for (auto table : {kIfTable, kIfXTable}) {
      if (!oid.starts_with(table)) continue;
      auto rest = oid.substr(table.size());
      auto dot = rest.find('.');
      if (dot != std::string_view::npos && rest.find('.', dot + 1) == std::string_view::npos)
        return std::string(rest.substr(dot + 1));
    }
  }
  return {};
}

void add_varbinds(const Trap& trap, FieldBuilder& f) {
  std::size_t i = 0;
  for (const auto& vb : trap.varbinds) {
    ++i;
    f.add(vb.oid, vb.value);
    f.add_owned("vb" + std::to_string(i), vb.value);
    f.add_owned("vb" + std::to_string(i) + "_oid", vb.oid);
    if (vb.name.empty()) continue;
    std::string name = short_name(vb);
    if (f.get(name).empty()) f.add_owned(std::move(name), vb.value);
    auto known = builtin_name(vb.oid);
    if (!known.object.empty() && known.object != vb.oid) f.add_owned(known.object, vb.value);
  }
  if (f.get("ifIndex").empty())
    if (auto idx = derived_if_index(trap); !idx.empty()) f.add_owned("ifIndex", std::move(idx));
}

std::string interface_of(FieldBuilder& f) {
  for (auto key : {"ifName", "ifDescr", "ifAlias"})
    if (auto v = f.get(key); !v.empty()) return std::string(v);
  auto idx = f.get("ifIndex");
  return idx.empty() ? std::string() : "ifIndex " + std::string(idx);
}

std::string message_of(const Trap& trap, std::string_view label, std::string_view host) {
  std::string m = std::string(label) + " from " + std::string(host);
  const char* sep = ": ";
  for (const auto& vb : trap.varbinds) {
    if (m.size() >= kMaxMessage) break;
    m += sep;
    m += vb.name.empty() ? vb.oid : vb.name;
    m += '=';
    m += vb.value;
    sep = ", ";
  }
  if (m.size() > kMaxMessage) m.resize(kMaxMessage);
  return m;
}

void add_attributes(const Trap& trap, FieldBuilder& f, Event& out) {
  auto& a = out.attributes;
  a.emplace_back("snmp_version", trap.version);
  a.emplace_back("trap_oid", trap.trap_oid);
  if (!trap.trap_name.empty()) a.emplace_back("trap_name", trap.trap_name);
  a.emplace_back("agent_address", trap.agent_address);
  a.emplace_back("uptime", std::to_string(trap.uptime));
  if (!trap.community.empty()) a.emplace_back("community", trap.community);
  if (!trap.user.empty()) a.emplace_back("user", trap.user);
  if (!trap.security_level.empty()) a.emplace_back("security_level", trap.security_level);
  std::string listing;
  for (const auto& vb : trap.varbinds) {
    a.emplace_back(vb.name.empty() ? vb.oid : short_name(vb), vb.value);
    listing += vb.oid + (vb.name.empty() ? "" : " (" + vb.name + ")") + " = " + vb.type + ": " + vb.value + "\n";
  }
  bool has_if_index = false;
  for (const auto& [k, v] : a) has_if_index = has_if_index || k == "ifIndex";
  if (!has_if_index && !f.get("ifIndex").empty()) a.emplace_back("ifIndex", std::string(f.get("ifIndex")));
  if (!listing.empty()) listing.pop_back();
  a.emplace_back("varbinds", std::move(listing));
}

}  // namespace

Mapper::Mapper(const MappingConfig& config) : unmatched_(config.unmatched) {
  std::vector<RuleSpec> specs = config.rules;
  if (config.default_rules) {
    auto defaults = default_rules();
    specs.insert(specs.end(), defaults.begin(), defaults.end());
  }
  std::vector<std::string> errors;  // validated at load time
  rules_ = RuleSet::compile(specs, errors);
}

Mapper::Outcome Mapper::map(const Trap& trap, std::string_view source_address, std::string_view raw,
                            std::int64_t now_ms, Event& out) const {
  FieldBuilder f;
  std::string_view label = trap.trap_name.empty() ? std::string_view(trap.trap_oid) : trap.trap_name;
  f.add("trap_oid", trap.trap_oid);
  f.add("trap_name", label);
  f.add("version", trap.version);
  f.add("community", trap.community);
  f.add("user", trap.user);
  f.add("security_level", trap.security_level);
  f.add("agent_address", trap.agent_address);
  f.add("source_address", source_address);
  f.add_owned("uptime", std::to_string(trap.uptime));
  f.add("severity", "warning");
  add_varbinds(trap, f);
  std::string host(f.get("sysName").empty() ? std::string_view(trap.agent_address) : f.get("sysName"));
  f.add_owned("host", host);
  if (auto itf = interface_of(f); !itf.empty() && f.get("interface").empty()) f.add_owned("interface", std::move(itf));
  f.add_owned("message", message_of(trap, label, host));

  out.source = "snmp";
  out.source_address = std::string(source_address);
  out.received_at_ms = now_ms;
  out.raw = std::string(raw);
  add_attributes(trap, f, out);
  if (rules_.apply(f.fields(), out)) return Outcome::matched;
  if (unmatched_ == Unmatched::discard) return Outcome::discarded;
  out.name = std::string(label);
  out.alert_key = out.name;
  out.kind = unmatched_ == Unmatched::alert ? EventKind::problem : EventKind::info;
  out.severity = unmatched_ == Unmatched::alert ? Severity::warning : Severity::info;
  out.resource = host;
  out.summary = std::string(f.get("message"));
  return Outcome::unmatched;
}

}  // namespace tocsin::snmp
