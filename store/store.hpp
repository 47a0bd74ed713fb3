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
  std::int64_t limit = 100;
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

  // Resources that matched no CI, most events first.
  virtual std::vector<CmdbGap> cmdb_gaps(std::int64_t limit) {
    (void)limit;
    return {};
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
