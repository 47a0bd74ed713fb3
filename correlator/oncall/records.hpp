#pragma once
// The on-call records people write through the API and the store keeps:
// overrides of a roster layer for a time range, and the duty log where the
// person on shift leaves hand-over notes. Plain data; validation is the API's
// and merging overrides into a roster is roster.hpp's.

#include <cstdint>
#include <string>

#include "correlator/oncall/directory.hpp"

namespace tocsin::oncall {

struct StoredOverride {
  std::int64_t id = 0;  // assigned by the store
  std::string group;
  Layer layer = Layer::primary;
  std::string person;
  std::int64_t from_ms = 0;  // inclusive
  std::int64_t to_ms = 0;    // exclusive
  std::string reason;
  std::string created_by;    // the API token's name
  std::int64_t created_at_ms = 0;
};

struct DutyNote {
  std::int64_t id = 0;  // assigned by the store
  std::string group;
  std::string author;   // the API token's name
  std::string text;
  std::int64_t at_ms = 0;
};

}  // namespace tocsin::oncall
