// CMDB from JSON, the form asset APIs export: a list of CIs, or an object with
// `cis` and `cidr_rules`. Boost.JSON keeps no positions, so the line of each
// entry comes from a scan of the text for the objects at the entries' depth.
#include <boost/json.hpp>

#include "correlator/cmdb/ci_json.hpp"
#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

namespace {

namespace json = boost::json;

std::uint32_t line_at(std::string_view text, std::size_t offset) {
  std::uint32_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// Lines of the '{' that open at nesting `depth`, in document order, which is
// the order Boost.JSON keeps for arrays and object members.
std::vector<std::uint32_t> object_lines(std::string_view text, int depth) {
  std::vector<std::uint32_t> lines;
  std::uint32_t line = 1;
  int level = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (c == '{' && level == depth) lines.push_back(line);
      ++level;
    } else if (c == '}' || c == ']') {
      --level;
    }
  }
  return lines;
}

struct JsonFile {
  std::uint32_t file;
  CmdbDraft& draft;
  config::Errors& errors;
  std::vector<std::uint32_t> lines;
  std::size_t next = 0;

  void error(std::uint32_t line, const std::string& message) { errors.add(draft.where({file, line}) + ": " + message); }
};

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

std::string read_value(CiDraft& d, Field field, const json::value& v) {
  if (field == Field::attributes) {
    if (!v.is_object()) return "attributes: expected an object of name: value";
    for (const auto& kv : v.get_object()) {
      if (kv.value().is_structured()) return "attributes: the value of '" + std::string(kv.key()) + "' must be a single value";
      d.ci.attributes.emplace_back(std::string(kv.key()), scalar_text(kv.value()));
    }
    return {};
  }
  if (v.is_null()) return {};
  if (v.is_array() && is_list(field)) {
    for (const auto& item : v.get_array()) {
      if (item.is_structured()) return "expected a list of values";
      if (auto problem = set_field(d, field, scalar_text(item)); !problem.empty()) return problem;
    }
    return {};
  }
  if (v.is_structured()) return is_list(field) ? "expected a list of values" : "expected a single value";
  return set_field(d, field, scalar_text(v));
}

void read_ci(JsonFile& f, const json::object& o, std::uint32_t line) {
  CiDraft d;
  bool ok = true;
  for (const auto& kv : o) {
    auto field = field_named(kv.key());
    std::string problem = field ? read_value(d, *field, kv.value()) : "unknown CI field '" + std::string(kv.key()) + "'";
    if (!problem.empty()) {
      f.error(line, problem);
      ok = false;
    }
  }
  if (ok) finish_ci(std::move(d), f.file, line, f.draft, f.errors);
}

void read_rule(JsonFile& f, const json::object& o, std::uint32_t line) {
  const json::value* cidr = o.if_contains("cidr");
  const json::value* ci = o.if_contains("ci");
  if (o.size() != 2 || !cidr || !ci || !cidr->is_string() || !ci->is_string()) {
    return f.error(line, "expected a CIDR rule {\"cidr\": \"10.20.0.0/16\", \"ci\": \"<id>\"}");
  }
  add_cidr_rule(cidr->get_string(), std::string(ci->get_string()), {f.file, line}, f.draft, f.errors);
}

// False when an entry is not an object: the line scan no longer matches.
bool read_list(JsonFile& f, const json::value& list, void (*read)(JsonFile&, const json::object&, std::uint32_t)) {
  if (!list.is_array()) {
    f.error(f.next < f.lines.size() ? f.lines[f.next] : 1, "expected a list");
    return false;
  }
  for (const auto& item : list.get_array()) {
    std::uint32_t line = f.next < f.lines.size() ? f.lines[f.next] : 1;
    if (!item.is_object()) {
      f.error(line, "expected an object in the list");
      return false;
    }
    ++f.next;
    read(f, item.get_object(), line);
  }
  return true;
}

void read_root(JsonFile& f, const json::value& root, std::string_view text) {
  if (root.is_array()) {
    f.lines = object_lines(text, 1);
    read_list(f, root, read_ci);
    return;
  }
  if (!root.is_object()) return f.error(1, "expected a list of CIs or an object with cis and cidr_rules");
  f.lines = object_lines(text, 2);
  for (const auto& kv : root.get_object()) {
    bool ok = false;
    if (kv.key() == "cis") ok = read_list(f, kv.value(), read_ci);
    else if (kv.key() == "cidr_rules") ok = read_list(f, kv.value(), read_rule);
    else f.error(1, "unknown key '" + std::string(kv.key()) + "' (expected cis or cidr_rules)");
    if (!ok) return;
  }
}

}  // namespace

std::vector<std::string> ci_from_json(const json::object& o, CiDraft& d) {
  std::vector<std::string> problems;
  for (const auto& kv : o) {
    auto field = field_named(kv.key());
    std::string problem = field ? read_value(d, *field, kv.value()) : "unknown CI field '" + std::string(kv.key()) + "'";
    if (!problem.empty()) problems.push_back(std::move(problem));
  }
  if (d.ci.id.empty()) problems.push_back("id: required (every CI needs a unique id)");
  if (d.ci.name.empty()) d.ci.name = d.ci.id;
  return problems;
}

void load_cmdb_json(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors) {
  JsonFile f{draft.file_id(file_name), draft, errors, {}};
  json::parser parser;
  boost::system::error_code ec;
  // write() also rejects text after the document, and says how far it got.
  std::size_t used = parser.write(text.data(), text.size(), ec);
  if (ec) {
    f.error(line_at(text, used), "invalid JSON: " + ec.message());
    return;
  }
  read_root(f, parser.release(), text);
}

}  // namespace tocsin::cmdb
