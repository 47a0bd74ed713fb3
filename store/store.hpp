#pragma once
// The Store: durable state of the pipeline. One instance per thread that uses
// it (each holds its own connection). `commit` applies a whole ChangeSet
// atomically and durably: when it returns, the batch survives kill -9 and power
// loss, and only then may the inputs be acknowledged.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "correlator/model.hpp"
#include "correlator/oncall/records.hpp"

namespace tocsin {

struct IncidentFilter {
  std::optional<IncidentState> state;
  std::string priority;
  std::string group;
  std::string ci;
  std::string assignee;
  std::string service;         // the incident's (first) business service
  std::int64_t since_ms = 0;   // opened at or after, 0 = no bound
  std::int64_t until_ms = 0;   // opened before, 0 = no bound
  std::string text;            // in the title, case-insensitive (ASCII)
  std::int64_t limit = 100;
  std::int64_t before_id = 0;  // paging: only ids below this, 0 = from the newest
};

struct AlertFilter {
  std::optional<AlertState> state;
  std::string resource;
  std::int64_t incident_id = 0;
  std::string suppressed_by;  // "silence:<id>" or "maintenance:<id>"
  std::int64_t limit = 100;
};

// Recurring incidents on one CI: a problem candidate.
struct ProblemFilter {
  std::int64_t since_ms = 0;        // incidents opened at or after
  std::int64_t min_incidents = 3;   // CIs with at least this many
  std::int64_t limit = 100;
};

struct ProblemCandidate {
  std::string ci;
  std::int64_t incident_count = 0;  // opened since the filter's start, merged ones not counted
  std::int64_t first_opened_ms = 0;
  Incident last;                    // the latest of them
};

// When an incident opened on a CI (recurrence counting at start-up).
struct IncidentOpening {
  std::string ci;
  std::int64_t opened_at_ms = 0;
};

// A CI created, replaced (ci_json set) or removed (deleted) through the API,
// laid over the CMDB files. The CI is kept as the JSON object the API shows.
struct CiOverride {
  std::string id;
  bool deleted = false;
  std::string ci_json;
  std::int64_t at_ms = 0;
  std::string actor;
};

// One change of one CI: who, when, from where (api, file) and what, as a JSON
// object {field: {"before": ..., "after": ...}}.
struct CiHistoryEntry {
  std::int64_t id = 0;  // assigned by the store
  std::string ci;
  std::int64_t at_ms = 0;
  std::string actor;
  std::string source;  // "api" or "file"
  std::string action;  // "created", "replaced", "deleted", "added", "changed", "removed"
  std::string changes_json;
};

// Overlay rows to write or erase and history to append, in one transaction.
struct CmdbChange {
  std::vector<CiOverride> upserts;
  std::vector<std::string> erased;  // ids whose overlay row goes (back to the files)
  std::vector<CiHistoryEntry> history;
  bool empty() const { return upserts.empty() && erased.empty() && history.empty(); }
};

struct IncidentDetail {
  Incident incident;
  std::vector<Alert> alerts;
  std::vector<TimelineEntry> timeline;
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes
  virtual void commit(const ChangeSet& changes) = 0;
  // Writes what commit() deferred (a store may keep repeat counters in memory
  // under load, durable in its own way); the pipeline calls it every tick.
  virtual void flush() {}

  // State the correlator reloads at start-up.
  virtual IdState max_ids() = 0;
  virtual std::vector<Alert> firing_alerts() = 0;
  virtual std::vector<Incident> unresolved_incidents() = 0;  // open or acknowledged

  // Reads for the API.
  virtual std::vector<Incident> incidents(const IncidentFilter& filter) = 0;
  virtual std::optional<IncidentDetail> incident(std::int64_t id) = 0;
  virtual std::vector<Alert> alerts(const AlertFilter& filter) = 0;
  virtual std::vector<EventRecord> events_of_alert(std::int64_t alert_id, std::int64_t limit) = 0;
  // Values of one attribute on the latest `limit` events of a source, newest
  // first (e.g. the message identities a collector deduplicates redeliveries by).
  virtual std::vector<std::string> recent_attribute_values(const std::string& source, const std::string& key,
                                                           std::int64_t limit) = 0;

  // Outbox. `claim_due` moves up to `limit` pending notifications whose
  // next_attempt is due to `sending` and returns them. `recover_in_flight`
  // (once at start-up) returns `sending` rows left by a crash to `pending` with
  // possible_duplicate set.
  virtual std::vector<Notification> claim_due(std::int64_t now_ms, int limit) = 0;
  virtual void mark_sent(std::int64_t id, std::int64_t now_ms) = 0;
  virtual void mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) = 0;
  virtual void mark_failed(std::int64_t id, const std::string& error) = 0;
  virtual int recover_in_flight() = 0;
  virtual std::vector<Notification> notifications(std::int64_t incident_id) = 0;
  virtual std::int64_t pending_notifications() = 0;
  // Page-storm control (sinks/throttle.hpp). `claim_due_for` claims, like
  // claim_due, the due notifications of one recipient on one channel, to be
  // sent as one bundle. `release` hands a claimed notification back to pending
  // until `next_attempt_ms` without counting an attempt and without an error
  // (held by the rate limit or quiet hours); `note` says why.
  // The defaults (for stores that are not an outbox) never bundle and hold by a retry.
  virtual std::vector<Notification> claim_due_for(const std::string& channel, const std::string& recipient,
                                                  std::int64_t now_ms, int limit) {
    (void)channel, (void)recipient, (void)now_ms, (void)limit;
    return {};
  }
  virtual void release(std::int64_t id, std::int64_t next_attempt_ms, const std::string& note) {
    mark_retry(id, next_attempt_ms, note);
  }

  // Resolved (not closed) incidents resolved at or before `resolved_before_ms`,
  // earliest first: the ones auto-close is due for.
  virtual std::vector<Incident> resolved_before(std::int64_t resolved_before_ms, std::int64_t limit) {
    (void)resolved_before_ms;
    (void)limit;
    return {};
  }
  // Incidents opened at or after `since_ms` (not merged), oldest first.
  virtual std::vector<IncidentOpening> incident_openings(std::int64_t since_ms) {
    (void)since_ms;
    return {};
  }
  // CIs with recurring incidents, most incidents first.
  virtual std::vector<ProblemCandidate> problems(const ProblemFilter& filter) {
    (void)filter;
    return {};
  }

  // The CMDB overlay and the CI change history.
  virtual std::vector<CiOverride> cmdb_overlay() { return {}; }
  virtual void commit_cmdb(const CmdbChange& change) {
    (void)change;
    throw std::logic_error("this store keeps no CMDB overlay");
  }
  // Newest first.
  virtual std::vector<CiHistoryEntry> ci_history(const std::string& ci, std::int64_t limit) {
    (void)ci;
    (void)limit;
    return {};
  }

  // Suppression state the correlator reloads at start-up: silences that end
  // after `ended_after_ms`, and the maintenance windows added through the API
  // (not removed), oldest first.
  virtual std::vector<suppression::Silence> silences(std::int64_t ended_after_ms) {
    (void)ended_after_ms;
    return {};
  }
  virtual std::vector<suppression::MaintenanceWindow> maintenance_windows() { return {}; }

  // Resources that matched no CI, most events first.
  virtual std::vector<CmdbGap> cmdb_gaps(std::int64_t limit) {
    (void)limit;
    return {};
  }

  // A delivery report from the gateway (e.g. "delivered", "failed"): recorded
  // as the notification's delivery_status, except that a final status
  // (delivered, failed, rejected) is not replaced by a late intermediate one
  // (accepted, buffered). A non-empty `gateway_id` (the gateway's own message
  // id, e.g. Kannel's %F) is recorded as the notification's gateway_id. False
  // when there is no such notification.
  virtual bool record_delivery_report(std::int64_t id, const std::string& status, const std::string& gateway_id = "") {
    (void)id;
    (void)status;
    (void)gateway_id;
    return false;
  }
  // On-call overrides added through the API, by id. add_override returns the
  // new id; remove_override is false when no override has that id.
  virtual std::int64_t add_override(const oncall::StoredOverride& o) {
    (void)o;
    throw std::runtime_error("this store does not keep on-call overrides");
  }
  virtual bool remove_override(std::int64_t id) {
    (void)id;
    return false;
  }
  virtual std::vector<oncall::StoredOverride> overrides() { return {}; }

  // People and groups created, replaced or deleted through the API.
  // write_oncall_entry stores the entry (replacing the one of the same kind
  // and id) and appends the change to its history, in one transaction;
  // oncall_history lists an entry's changes newest first.
  virtual std::vector<oncall::StoredEntry> oncall_entries() { return {}; }
  virtual void write_oncall_entry(const oncall::StoredEntry& entry, const oncall::EntryChange& change) {
    (void)entry;
    (void)change;
    throw std::runtime_error("this store does not keep on-call people and groups");
  }
  virtual std::vector<oncall::EntryChange> oncall_history(const std::string& kind, const std::string& id,
                                                          std::int64_t limit) {
    (void)kind;
    (void)id;
    (void)limit;
    return {};
  }

  // The duty log. add_duty_note keeps at most `keep_per_group` notes of the
  // group (the oldest go) and returns the new id; duty_notes lists a group's
  // notes written at or after `since_ms`, newest first (an empty group: all
  // groups).
  virtual std::int64_t add_duty_note(const oncall::DutyNote& note, std::int64_t keep_per_group) {
    (void)note;
    (void)keep_per_group;
    throw std::runtime_error("this store does not keep a duty log");
  }
  virtual std::vector<oncall::DutyNote> duty_notes(const std::string& group, std::int64_t since_ms,
                                                   std::int64_t limit) {
    (void)group;
    (void)since_ms;
    (void)limit;
    return {};
  }
};

}  // namespace tocsin
