#pragma once
// The on-call routes of /api/v1: who is on duty (/oncall), the calendar of
// shifts (/oncall/calendar), overrides added through the API
// (/oncall/overrides) and the duty log (/oncall/log). Overrides are stored
// durably and merged into the directory snapshot the correlator assigns and
// pages by; the configuration's directory is the base they are merged into.
// People and groups changed through the API (people_api.hpp) are laid over
// the base first, so overrides may name them.

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "correlator/clock.hpp"
#include "correlator/oncall/records.hpp"
#include "correlator/oncall/roster.hpp"
#include "daemon/api.hpp"

namespace tocsin::api {

// Bounds of what the on-call routes accept.
struct OncallLimits {
  int default_days = 14;
  int max_days = 60;
  std::size_t max_reason = 500;          // bytes of an override's reason
  std::size_t max_note = 4096;           // bytes of a duty log note
  std::int64_t max_override_ms = 366LL * 24 * 3600 * 1000;
  std::size_t max_active_overrides = 1000;
  std::int64_t notes_per_group = 1000;   // the duty log keeps the newest
  std::int64_t max_list = 1000;
};

// The directory snapshot in force: the configuration's (the base) with the
// people and groups of the API laid over it and the stored overrides merged
// in. Thread-safe; every new snapshot is handed to
// `publish` under the lock, so the correlator sees them in order.
class OncallDirectory {
 public:
  using Snapshot = std::shared_ptr<const oncall::Snapshot>;
  using Publish = std::function<void(Snapshot)>;

  // With a clock, overrides that have ended are left out of every snapshot
  // built from then on (they stay stored and listed as history).
  explicit OncallDirectory(Snapshot base, std::vector<oncall::StoredOverride> stored = {},
                           oncall::Overlay overlay = {}, const Clock* clock = nullptr);

  // Null when no on-call directory is configured and the API added nobody.
  Snapshot current() const;
  std::vector<oncall::StoredOverride> stored() const;
  oncall::Overlay overlay() const;
  // True when the configuration (not the API) defines that id.
  bool configured_person(const std::string& id) const;
  bool configured_group(const std::string& id) const;
  // Puts `next` (the overlay after one change) in force unless it makes the
  // merged directory inconsistent (oncall::check, and stored overrides not
  // ended at `now_ms` naming an undefined person or group, kind "override"):
  // the problems it would add (those already there, e.g. after a reload, do
  // not count) are returned and nothing changes. Else `commit` (the store
  // write) runs under the lock, then the new snapshot is published; when
  // `commit` throws nothing changes either.
  std::vector<oncall::Problem> change_overlay(oncall::Overlay next, std::int64_t now_ms,
                                              const std::function<void()>& commit);
  // The correlator's side: called with every later snapshot.
  void on_change(Publish publish);
  // A new list of stored overrides (after an add or a remove).
  void set_overrides(std::vector<oncall::StoredOverride> stored);
  // Reload: a new base. `apply` runs under the lock with the merged snapshot,
  // so that no override change is published before it.
  void rebase(Snapshot base, const std::function<void(Snapshot)>& apply);

 private:
  Snapshot merge_locked() const;
  oncall::RosterData laid_locked(const oncall::Overlay& overlay) const;
  std::vector<oncall::Problem> problems_locked(const oncall::Overlay& overlay, std::int64_t now_ms) const;

  mutable std::mutex mutex_;
  Snapshot base_;
  oncall::Overlay overlay_;
  std::vector<oncall::StoredOverride> stored_;
  const Clock* clock_ = nullptr;
  Snapshot current_;
  Publish publish_;
};

// Body of POST /oncall/overrides, validated against the directory: a
// StoredOverride without id and author, or the field and what is wrong.
std::variant<oncall::StoredOverride, FieldError> parse_override(const std::string& body,
                                                                const oncall::Snapshot* directory,
                                                                std::int64_t now_ms, const OncallLimits& limits);
// Body of POST /oncall/log.
std::variant<oncall::DutyNote, FieldError> parse_duty_note(const std::string& body, const oncall::Snapshot* directory,
                                                           const OncallLimits& limits);

// The answers of GET /oncall and GET /oncall/calendar: `group` empty means
// every group of the directory.
boost::json::value on_call_json(const oncall::Snapshot& directory, const std::string& group, std::int64_t at_ms);
boost::json::value calendar_json(const oncall::Snapshot& directory, const std::string& group, std::int64_t from_ms,
                                 int days);
boost::json::value to_json(const oncall::StoredOverride& o);
boost::json::value to_json(const oncall::DutyNote& note);

// tocsin_oncall_rejected_total{reason}: on-call changes through the API
// (people, groups, overrides, duty notes) that were refused.
inline constexpr std::string_view oncall_rejection_reasons[] = {"too_large",     "invalid_json", "unknown_field",
                                                                "invalid_value", "inconsistent", "too_many"};
Counter& oncall_rejected_total(StatsRegistry& stats, std::string_view reason);

class OncallRoutes {
 public:
  OncallRoutes(Router& router, OncallDirectory& directory, StoreReaders::OpenStore open_store, const Clock& clock,
               StatsRegistry& stats, OncallLimits limits = {});

 private:
  void on_call(ApiRequest request, Respond respond);
  void calendar(ApiRequest request, Respond respond);
  void add_override(ApiRequest request, Respond respond);
  void list_overrides(ApiRequest request, Respond respond);
  void remove_override(ApiRequest request, Respond respond);
  void add_note(ApiRequest request, Respond respond);
  void list_notes(ApiRequest request, Respond respond);
  // 400 naming the field, counted.
  Response refuse(const FieldError& e) const;

  OncallDirectory& directory_;
  const Clock& clock_;
  StatsRegistry& stats_;
  OncallLimits limits_;
  // One reader: override writes and the re-read that follows are serialized,
  // so snapshots are published in the order of the changes.
  StoreReaders store_;
};

}  // namespace tocsin::api
