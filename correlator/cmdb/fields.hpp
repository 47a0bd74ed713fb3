#pragma once
// How the three file loaders turn named values into CI fields, so that every
// format accepts the same names and reports the same mistakes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "correlator/cmdb/loader.hpp"

namespace tocsin::cmdb {

enum class Field {
  id, name, type, aliases, addresses, fqdn, owner_group, criticality, services, location, depends_on, runbook,
  attributes
};

std::optional<Field> field_named(std::string_view name);
bool is_list(Field f);

// A CI being read, with the prefixes written in its `addresses`.
struct CiDraft {
  Ci ci;
  std::vector<Cidr> ranges;
};

// Sets a scalar field or appends one item to a list field. Returns what is
// wrong with the value, or an empty string.
std::string set_field(CiDraft& draft, Field field, std::string value);

// Adds the CI read at file:line to the draft, or reports why it cannot be.
void finish_ci(CiDraft&& ci, std::uint32_t file, std::uint32_t line, CmdbDraft& draft, config::Errors& errors);

// Adds a {cidr, ci} rule, or reports why it cannot be.
void add_cidr_rule(std::string_view cidr, std::string ci, Origin origin, CmdbDraft& draft, config::Errors& errors);

}  // namespace tocsin::cmdb
