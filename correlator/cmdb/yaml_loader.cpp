// CMDB from YAML, the hand-written form: a list of CIs, or a map with `cis`
// and `cidr_rules`.
#include <yaml-cpp/yaml.h>

#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

namespace {

struct YamlFile {
  std::uint32_t file;
  CmdbDraft& draft;
  config::Errors& errors;

  std::string where(const YAML::Node& n) const {
    return draft.where({file, static_cast<std::uint32_t>(n.Mark().line + 1)});
  }
  void error(const YAML::Node& n, const std::string& message) const { errors.add(where(n) + ": " + message); }
};

bool read_attributes(const YamlFile& f, const YAML::Node& value, Ci& ci) {
  if (value.IsNull()) return true;
  if (!value.IsMap()) {
    f.error(value, "attributes: expected a map of name: value");
    return false;
  }
  for (const auto& kv : value) {
    if (!kv.second.IsScalar()) {
      f.error(kv.second, "attributes: the value of '" + kv.first.Scalar() + "' must be a single value");
      return false;
    }
    ci.attributes.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return true;
}

bool read_value(const YamlFile& f, CiDraft& d, Field field, const YAML::Node& value) {
  if (value.IsNull()) return true;
  std::vector<YAML::Node> items;
  if (value.IsSequence() && is_list(field)) {
    for (const auto& item : value) items.push_back(item);
  } else {
    items.push_back(value);
  }
  for (const auto& item : items) {
    if (!item.IsScalar()) {
      f.error(item, is_list(field) ? "expected a list of values" : "expected a single value");
      return false;
    }
    if (auto problem = set_field(d, field, item.Scalar()); !problem.empty()) {
      f.error(item, problem);
      return false;
    }
  }
  return true;
}

void read_ci(const YamlFile& f, const YAML::Node& node) {
  if (!node.IsMap()) {
    f.error(node, "expected a CI (a map with id, name, ...)");
    return;
  }
  CiDraft d;
  bool ok = true;
  for (const auto& kv : node) {
    auto field = field_named(kv.first.Scalar());
    if (!field) {
      f.error(kv.first, "unknown CI field '" + kv.first.Scalar() + "'");
      ok = false;
    } else if (*field == Field::attributes) {
      ok = read_attributes(f, kv.second, d.ci) && ok;
    } else {
      ok = read_value(f, d, *field, kv.second) && ok;
    }
  }
  if (ok) finish_ci(std::move(d), f.file, static_cast<std::uint32_t>(node.Mark().line + 1), f.draft, f.errors);
}

void read_rule(const YamlFile& f, const YAML::Node& node) {
  if (!node.IsMap() || !node["cidr"] || !node["ci"] || node.size() != 2) {
    f.error(node, "expected a CIDR rule {cidr: 10.20.0.0/16, ci: <id>}");
    return;
  }
  Origin origin{f.file, static_cast<std::uint32_t>(node.Mark().line + 1)};
  add_cidr_rule(node["cidr"].Scalar(), node["ci"].Scalar(), origin, f.draft, f.errors);
}

void read_list(const YamlFile& f, const YAML::Node& list, void (*read)(const YamlFile&, const YAML::Node&)) {
  if (list.IsNull()) return;
  if (!list.IsSequence()) return f.error(list, "expected a list");
  for (const auto& item : list) read(f, item);
}

void read_root(const YamlFile& f, const YAML::Node& root) {
  if (root.IsNull()) return;
  if (root.IsSequence()) return read_list(f, root, read_ci);
  if (!root.IsMap()) return f.error(root, "expected a list of CIs or a map with cis and cidr_rules");
  for (const auto& kv : root) {
    const std::string& key = kv.first.Scalar();
    if (key == "cis") {
      read_list(f, kv.second, read_ci);
    } else if (key == "cidr_rules") {
      read_list(f, kv.second, read_rule);
    } else {
      f.error(kv.first, "unknown key '" + key + "' (expected cis or cidr_rules)");
    }
  }
}

}  // namespace

void load_cmdb_yaml(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors) {
  YamlFile f{draft.file_id(file_name), draft, errors};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    errors.add(file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    return;
  }
  read_root(f, root);
}

}  // namespace tocsin::cmdb
