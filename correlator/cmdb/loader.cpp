// Field handling shared by the CMDB file loaders, and the choice of loader by
// file extension.
#include "correlator/cmdb/loader.hpp"

#include <array>
#include <fstream>
#include <sstream>

#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

namespace {
constexpr std::array<std::pair<std::string_view, Field>, 13> field_names{{
    {"id", Field::id},
    {"name", Field::name},
    {"type", Field::type},
    {"aliases", Field::aliases},
    {"addresses", Field::addresses},
    {"fqdn", Field::fqdn},
    {"owner_group", Field::owner_group},
    {"criticality", Field::criticality},
    {"services", Field::services},
    {"location", Field::location},
    {"depends_on", Field::depends_on},
    {"runbook", Field::runbook},
    {"attributes", Field::attributes},
}};

std::string set_address(CiDraft& d, std::string value) {
  if (value.find('/') != std::string::npos) {
    auto cidr = parse_cidr(value);
    if (!cidr) return "addresses: '" + value + "' is not a CIDR prefix (e.g. 10.20.0.0/16, 2001:db8::/48, host bits zero)";
    d.ranges.push_back(*cidr);
    return {};
  }
  auto address = parse_address(value);
  if (!address) return "addresses: '" + value + "' is not an IPv4 or IPv6 address";
  d.ci.addresses.push_back(*address);
  return {};
}

std::string set_criticality(Ci& ci, const std::string& value) {
  auto c = parse_criticality(value);
  if (!c) return "criticality: unknown value '" + value + "' (expected critical, high, medium or low)";
  ci.criticality = *c;
  return {};
}

std::string set_runbook(Ci& ci, std::string&& value) {
  std::string_view url = value;
  // Empty: no runbook (how the API shows a CI without one).
  if (!url.empty() && url.substr(0, 7) != "http://" && url.substr(0, 8) != "https://") {
    return "runbook: '" + value + "' is not an http:// or https:// URL";
  }
  ci.runbook = std::move(value);
  return {};
}
}  // namespace

std::optional<Field> field_named(std::string_view name) {
  for (const auto& [n, f] : field_names) {
    if (n == name) return f;
  }
  return std::nullopt;
}

bool is_list(Field f) {
  return f == Field::aliases || f == Field::addresses || f == Field::services || f == Field::depends_on;
}

std::string set_field(CiDraft& d, Field field, std::string value) {
  Ci& ci = d.ci;
  switch (field) {
    case Field::id: ci.id = std::move(value); break;
    case Field::name: ci.name = std::move(value); break;
    case Field::type: ci.type = std::move(value); break;
    case Field::aliases: ci.aliases.push_back(std::move(value)); break;
    case Field::addresses: return set_address(d, std::move(value));
    case Field::fqdn: ci.fqdn = std::move(value); break;
    case Field::owner_group: ci.owner_group = std::move(value); break;
    case Field::criticality: return set_criticality(ci, value);
    case Field::services: ci.services.push_back(std::move(value)); break;
    case Field::location: ci.location = std::move(value); break;
    case Field::depends_on: ci.depends_on.push_back(std::move(value)); break;
    case Field::runbook: return set_runbook(ci, std::move(value));
    case Field::attributes: return "attributes: expected a map of name: value";
  }
  return {};
}

void add_cidr_rule(std::string_view text, std::string ci, Origin origin, CmdbDraft& draft, config::Errors& errors) {
  auto cidr = parse_cidr(text);
  if (!cidr) {
    errors.add(draft.where(origin) + ": cidr: '" + std::string(text) + "' is not a CIDR prefix (e.g. 10.20.0.0/16)");
    return;
  }
  if (ci.empty()) {
    errors.add(draft.where(origin) + ": cidr rule " + std::string(text) + " names no CI (ci: <id>)");
    return;
  }
  draft.cidr_rules.push_back({*cidr, std::move(ci)});
  draft.rule_origins.push_back(origin);
}

void finish_ci(CiDraft&& d, std::uint32_t file, std::uint32_t line, CmdbDraft& draft, config::Errors& errors) {
  Origin origin{file, line};
  if (d.ci.id.empty()) {
    errors.add(draft.where(origin) + ": CI has no id (every CI needs a unique id)");
    return;
  }
  if (d.ci.name.empty()) d.ci.name = d.ci.id;
  for (const Cidr& c : d.ranges) {
    draft.cidr_rules.push_back({c, d.ci.id});
    draft.rule_origins.push_back(origin);
  }
  draft.cis.push_back(std::move(d.ci));
  draft.ci_origins.push_back(origin);
}

std::uint32_t CmdbDraft::file_id(const std::string& name) {
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i] == name) return static_cast<std::uint32_t>(i);
  }
  files.push_back(name);
  return static_cast<std::uint32_t>(files.size() - 1);
}

std::string CmdbDraft::where(Origin o) const {
  std::string file = o.file < files.size() ? files[o.file] : "?";
  return o.line ? file + ":" + std::to_string(o.line) : file;
}

void CmdbDraft::add(Ci ci, const std::string& source) {
  cis.push_back(std::move(ci));
  ci_origins.push_back({file_id(source), 0});
}

void load_cmdb_file(const std::string& path, CmdbDraft& draft, config::Errors& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.add(path + ": cannot read the CMDB file");
    return;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = std::move(buf).str();
  if (path.ends_with(".yaml") || path.ends_with(".yml")) return load_cmdb_yaml(text, path, draft, errors);
  if (path.ends_with(".csv")) return load_cmdb_csv(text, path, draft, errors);
  if (path.ends_with(".json")) return load_cmdb_json(text, path, draft, errors);
  errors.add(path + ": unknown CMDB file type (expected .yaml, .yml, .csv or .json)");
}

}  // namespace tocsin::cmdb
