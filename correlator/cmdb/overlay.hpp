#pragma once
// CIs managed through the API, laid over the CIs of the files: an overlay CI
// replaces the file CI of the same id (and the CIDR rules naming it), a
// removal hides a file CI (and its rules), other overlay CIs are added. The
// result is validated by Cmdb::build like any CMDB, so the API refuses what a
// file would be refused for. Pure: the daemon keeps the overlay in the store.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "correlator/cmdb/cmdb.hpp"
#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

struct OverlayCi {
  std::optional<CiDraft> ci;  // nullopt: a file CI removed through the API
  std::int64_t at_ms = 0;
  std::string actor;
};

using Overlay = std::map<std::string, OverlayCi, std::less<>>;

// The files' CIs and rules (files may be null: no CMDB files) with the
// overlay on top; overlay CIs have the origin "api".
CmdbDraft overlay_draft(const Cmdb* files, const Overlay& overlay);

// overlay_draft, validated and indexed; nullptr with `errors` when invalid.
std::shared_ptr<const Cmdb> build_with_overlay(const Cmdb* files, const Overlay& overlay, config::Errors& errors);

// Whether a refused change conflicts with what exists (a duplicate id, name
// or address: 409) rather than being wrong in itself (400).
bool is_conflict(const config::Errors& errors);

}  // namespace tocsin::cmdb
