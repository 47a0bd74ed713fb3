// CMDB from CSV, the usual export of asset databases: a header row names the
// columns, one CI per record, list fields separated by ';'.
#include <optional>

#include "correlator/cmdb/csv.hpp"
#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

namespace {

struct Column {
  std::optional<Field> field;  // empty for an attribute column
  std::string attribute;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool read_header(const CsvRecord& header, const std::string& where, std::vector<Column>& columns,
                 config::Errors& errors) {
  bool ok = true, has_id = false;
  for (const std::string& raw : header.fields) {
    std::string_view name = trim(raw);
    if (name.starts_with("attr.") && name.size() > 5) {
      columns.push_back({std::nullopt, std::string(name.substr(5))});
      continue;
    }
    auto field = field_named(name);
    if (!field || *field == Field::attributes) {
      errors.add(where + ": unknown column '" + std::string(name) +
                 "' (CI fields, or attr.<name> for an attribute)");
      ok = false;
    }
    has_id = has_id || field == Field::id;
    columns.push_back({field, {}});
  }
  if (!has_id) errors.add(where + ": the header has no 'id' column");
  return ok && has_id;
}

// Returns what is wrong with the cell, or an empty string.
std::string set_cell(CiDraft& d, const Column& column, std::string_view cell) {
  cell = trim(cell);
  if (cell.empty()) return {};
  if (!column.field) {
    d.ci.attributes.emplace_back(column.attribute, std::string(cell));
    return {};
  }
  if (!is_list(*column.field)) return set_field(d, *column.field, std::string(cell));
  while (!cell.empty()) {
    auto semicolon = cell.find(';');
    std::string_view item = trim(cell.substr(0, semicolon));
    cell = semicolon == std::string_view::npos ? std::string_view{} : cell.substr(semicolon + 1);
    if (item.empty()) continue;
    if (auto problem = set_field(d, *column.field, std::string(item)); !problem.empty()) return problem;
  }
  return {};
}

void read_row(const CsvRecord& row, const std::vector<Column>& columns, std::uint32_t file, CmdbDraft& draft,
              config::Errors& errors) {
  Origin origin{file, static_cast<std::uint32_t>(row.line)};
  if (row.fields.size() != columns.size()) {
    errors.add(draft.where(origin) + ": the row has " + std::to_string(row.fields.size()) + " fields, the header " +
               std::to_string(columns.size()));
    return;
  }
  CiDraft d;
  bool ok = true;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (auto problem = set_cell(d, columns[i], row.fields[i]); !problem.empty()) {
      errors.add(draft.where(origin) + ": " + problem);
      ok = false;
    }
  }
  if (ok) finish_ci(std::move(d), file, origin.line, draft, errors);
}

}  // namespace

void load_cmdb_csv(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors) {
  std::uint32_t file = draft.file_id(file_name);
  CsvReader reader(text);
  CsvRecord record;
  std::string error;
  std::vector<Column> columns;
  if (!reader.next(record, error)) {
    errors.add(file_name + ":" + (error.empty() ? "1: the file is empty (expected a header row)" : error));
    return;
  }
  if (!read_header(record, draft.where({file, static_cast<std::uint32_t>(record.line)}), columns, errors)) return;
  while (reader.next(record, error)) read_row(record, columns, file, draft, errors);
  if (!error.empty()) errors.add(file_name + ":" + error);
}

}  // namespace tocsin::cmdb
