#pragma once
// Loads CIs from the YAML, CSV and JSON files named in config into a draft
// that Cmdb::build validates and indexes. Every problem is reported as
// "file:line: what is wrong", and loading goes on to report them all.
//
// YAML and JSON: either a list of CIs or a map {cis: [...], cidr_rules: [...]},
// a CIDR rule being {cidr: 10.20.0.0/16, ci: <id>}. CSV: a header row naming
// the columns (field names; `attr.<name>` for attributes); list fields are
// separated by ';'. In every format an entry of `addresses` written as a
// prefix (10.20.0.0/16) is a CIDR rule for that CI.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/schema.hpp"
#include "correlator/cmdb/ci.hpp"

namespace tocsin::cmdb {

struct Origin {
  std::uint32_t file = 0;  // index into CmdbDraft::files
  std::uint32_t line = 0;
};

// CIs and rules as read, with where each came from; not yet validated.
struct CmdbDraft {
  std::vector<std::string> files;
  std::vector<Ci> cis;
  std::vector<Origin> ci_origins;  // parallel to cis
  std::vector<CidrRule> cidr_rules;
  std::vector<Origin> rule_origins;  // parallel to cidr_rules

  std::uint32_t file_id(const std::string& name);
  std::string where(Origin o) const;  // "file:line"
  // For CIs that come from the API rather than a file.
  void add(Ci ci, const std::string& source = "api");
};

// Chooses the format by extension: .yaml/.yml, .csv, .json.
void load_cmdb_file(const std::string& path, CmdbDraft& draft, config::Errors& errors);

void load_cmdb_yaml(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors);
void load_cmdb_csv(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors);
void load_cmdb_json(std::string_view text, const std::string& file_name, CmdbDraft& draft, config::Errors& errors);

}  // namespace tocsin::cmdb
