// CI ↔ JSON object, size limits and field diffs for the API and the store.
#include "correlator/cmdb/ci_json.hpp"

#include <boost/json.hpp>

namespace tocsin::cmdb {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

bool too_long(const std::string& s, std::size_t max) { return s.size() > max; }

}  // namespace

json::object ci_to_json(const Ci& ci, const std::vector<Cidr>& ranges) {
  json::array addresses;
  for (const auto& a : ci.addresses) addresses.emplace_back(a.str());
  for (const auto& r : ranges) addresses.emplace_back(r.str());
  json::object attributes;
  for (const auto& [k, v] : ci.attributes) attributes[k] = v;
  return json::object{
      {"id", ci.id},
      {"name", ci.name},
      {"type", ci.type},
      {"aliases", strings(ci.aliases)},
      {"addresses", std::move(addresses)},
      {"fqdn", ci.fqdn},
      {"owner_group", ci.owner_group},
      {"criticality", to_string(ci.criticality)},
      {"services", strings(ci.services)},
      {"location", ci.location},
      {"depends_on", strings(ci.depends_on)},
      {"runbook", ci.runbook},
      {"attributes", std::move(attributes)},
  };
}

std::string check_limits(const CiDraft& d, const CiLimits& l) {
  const Ci& ci = d.ci;
  if (too_long(ci.id, l.max_id)) return "id: longer than " + std::to_string(l.max_id) + " bytes";
  for (const auto* s : {&ci.name, &ci.type, &ci.fqdn, &ci.owner_group, &ci.location, &ci.runbook})
    if (too_long(*s, l.max_text)) return "a field is longer than " + std::to_string(l.max_text) + " bytes";
  for (const auto* list : {&ci.aliases, &ci.services, &ci.depends_on}) {
    if (list->size() > l.max_items) return "a list has more than " + std::to_string(l.max_items) + " entries";
    for (const auto& s : *list)
      if (too_long(s, l.max_text)) return "a list entry is longer than " + std::to_string(l.max_text) + " bytes";
  }
  if (ci.addresses.size() + d.ranges.size() > l.max_items)
    return "addresses: more than " + std::to_string(l.max_items) + " entries";
  if (ci.attributes.size() > l.max_attributes)
    return "attributes: more than " + std::to_string(l.max_attributes) + " entries";
  for (const auto& [k, v] : ci.attributes)
    if (too_long(k, l.max_id) || too_long(v, l.max_text)) return "attributes: a name or value is too long";
  return {};
}

json::object ci_field_diff(const json::object* before, const json::object* after) {
  static const json::value none = nullptr;
  json::object out;
  auto side = [](const json::object* o, std::string_view key) -> const json::value& {
    if (!o) return none;
    const json::value* v = o->if_contains(key);
    return v ? *v : none;
  };
  auto consider = [&](std::string_view key) {
    if (key == "id" && before && after) return;
    const json::value& b = side(before, key);
    const json::value& a = side(after, key);
    if (b != a) out[key] = json::object{{"before", b}, {"after", a}};
  };
  if (const json::object* shape = after ? after : before)
    for (const auto& kv : *shape) consider(kv.key());
  if (before && after)
    for (const auto& kv : *before)
      if (!after->contains(kv.key())) consider(kv.key());
  return out;
}

}  // namespace tocsin::cmdb
