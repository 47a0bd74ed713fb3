#pragma once
// The on-call records people write through the API and the store keeps:
// overrides of a roster layer for a time range, and the duty log where the
// person on shift leaves hand-over notes, and the people and groups created,
// replaced or deleted through the API with their history. Plain data; validation is the API's
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

// A person or a group laid over the configuration's oncall.users[] and
// oncall.groups[] through the API. The entry is kept as the JSON object the
// API accepts (the store does not read it); a deleted one hides the
// configured entry of the same id.
struct StoredEntry {
  std::string kind;  // "person" or "group"
  std::string id;
  bool deleted = false;
  std::string json;  // empty when deleted
  std::int64_t updated_at_ms = 0;
  std::string updated_by;  // the API token's name
};

// One change of one person or group: who, when, what, and the entry before
// and after as JSON objects ("" when there was none: created, deleted).
struct EntryChange {
  std::int64_t id = 0;  // assigned by the store
  std::string kind;
  std::string entry;
  std::int64_t at_ms = 0;
  std::string actor;
  std::string action;  // "created", "replaced", "deleted"
  std::string before_json;
  std::string after_json;
};

}  // namespace tocsin::oncall
