#pragma once
// The people and groups routes of /api/v1: /people and /groups list, create,
// show, replace and delete the on-call directory's users and groups, and
// /{id}/history lists the changes of one. Changes are stored as an overlay
// on the configuration's oncall.users[] and oncall.groups[] (an entry of the
// API replaces or hides the configured one of the same id) and kept across
// restarts and reloads. A change that would leave the merged directory
// inconsistent (a group naming an unknown person, a person still named by a
// group or roster deleted) is refused with 400 naming the field.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "correlator/clock.hpp"
#include "correlator/oncall/records.hpp"
#include "correlator/oncall/roster.hpp"
#include "correlator/stats.hpp"
#include "daemon/api.hpp"
#include "daemon/oncall_api.hpp"

namespace tocsin::api {

// Bounds of what the people and groups routes accept.
struct PeopleLimits {
  std::size_t max_body = 64 * 1024;  // bytes of a request body
  std::size_t max_id = 128;
  std::size_t max_name = 200;
  std::size_t max_contacts = 20;
  std::size_t max_address = 254;
  std::size_t max_members = 1000;
  std::size_t max_entries = 10000;  // people and groups stored through the API
};

// Why a body was refused: the label of tocsin_oncall_rejected_total and the
// field at fault.
struct BodyRefusal {
  std::string reason;  // "too_large", "invalid_json", "unknown_field", "invalid_value"
  FieldError error;
};

// The bodies of POST and PUT, shaped like the configuration's keys:
//   {"id", "name", "time_zone", "contacts": [{"sms": ...} | {"email": ...}]}
//   {"id", "name", "members": [...], "lead", "manager"}
// The read-only keys of a GET answer (source, updated_at, updated_by) are
// accepted and ignored. `path_id` (PUT) is the id of the URL: the body's id
// may be left out and must match when given.
std::variant<oncall::Person, BodyRefusal> parse_person(std::string_view body, std::optional<std::string_view> path_id,
                                                       const PeopleLimits& limits);
std::variant<oncall::Group, BodyRefusal> parse_group(std::string_view body, std::optional<std::string_view> path_id,
                                                     const PeopleLimits& limits);
// An id the API accepts: 1 to max_id of A-Z a-z 0-9 . _ - @ +.
bool valid_entry_id(std::string_view id, const PeopleLimits& limits);

// The objects PUT accepts back.
boost::json::object to_json(const oncall::Person& p);
boost::json::object to_json(const oncall::Group& g);

// The overlay the stored entries make; entries that no longer parse are left
// out with a warning.
oncall::Overlay overlay_of(const std::vector<oncall::StoredEntry>& entries, const PeopleLimits& limits = {});

class PeopleRoutes {
 public:
  PeopleRoutes(Router& router, OncallDirectory& directory, StoreReaders::OpenStore open_store, const Clock& clock,
               StatsRegistry& stats, PeopleLimits limits = {});

  enum class Kind { person, group };

 private:
  enum class Write { create, put, erase };

  void list(Kind kind, ApiRequest request, Respond respond);
  void show(Kind kind, ApiRequest request, Respond respond);
  void history(Kind kind, ApiRequest request, Respond respond);
  void write(Kind kind, Write how, ApiRequest request, Respond respond);
  boost::json::object describe(Kind kind, const oncall::Snapshot& d, const std::string& id,
                               const oncall::Overlay& overlay, const std::vector<oncall::StoredEntry>& stored) const;
  Response refuse(const BodyRefusal& r) const;

  OncallDirectory& directory_;
  const Clock& clock_;
  StatsRegistry& stats_;
  PeopleLimits limits_;
  // One writer: a change's check, store write and publication are serialized.
  StoreReaders store_;
};

}  // namespace tocsin::api
