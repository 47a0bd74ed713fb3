#pragma once
// The durable records of the pipeline (Alert, Incident, timeline, Notification)
// and the ChangeSet the correlator hands to the Store: everything one batch of
// events changed, committed in one transaction (group commit).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "correlator/cmdb/ci.hpp"
#include "correlator/event.hpp"
#include "correlator/suppression/records.hpp"
#include "correlator/text.hpp"

namespace tocsin {

// suppressed: firing, but a maintenance window or a silence keeps it out of
// any incident (correlator/README.md, "Suppression").
enum class AlertState : std::uint8_t { firing = 0, resolved, flapping, suppressed };
enum class IncidentState : std::uint8_t { open = 0, acknowledged, resolved, closed };
// cancelled: a held page whose incident was merged into its root cause's.
enum class NotificationState : std::uint8_t { pending = 0, sending, sent, failed, cancelled };

std::string_view to_string(AlertState s);
std::string_view to_string(IncidentState s);
std::string_view to_string(NotificationState s);
std::optional<AlertState> parse_alert_state(std::string_view s);
std::optional<IncidentState> parse_incident_state(std::string_view s);
std::optional<NotificationState> parse_notification_state(std::string_view s);

// What an alert and its incident carry from their CI besides its id and
// criticality: its name, business services, location and runbook. One
// immutable record shared by the alerts of a CI and their incidents instead
// of a copy of the strings in each: the CI itself in a CMDB snapshot (on a
// reload the correlator points it at the new snapshot's CI when that holds
// the same values, else at a copy, so that alerts keep their values and no
// old snapshot is kept alive), or a copy of stored values. Empty when the
// resource matched no CI.
class CiFields {
 public:
  CiFields() = default;
  explicit CiFields(std::shared_ptr<const cmdb::Ci> ci) : ci_(std::move(ci)) {}
  // A record of its own holding these values (none when all are empty).
  static CiFields copy_of(std::string name, std::vector<std::string> services, std::string location,
                          std::string runbook);

  const std::string& name() const;
  const std::vector<std::string>& services() const;
  const std::string& location() const;
  const std::string& runbook() const;
  const std::shared_ptr<const cmdb::Ci>& record() const { return ci_; }
  // Whether `ci` holds the same name, services, location and runbook.
  bool same_values(const cmdb::Ci& ci) const;

 private:
  std::shared_ptr<const cmdb::Ci> ci_;
};

// An alert's copy of its first event's attributes. Names and most values
// repeat across alerts ("job": "node"), so both are Labels: two pairs take 32
// bytes besides the vector instead of 128 and the strings' own blocks.
using LabelAttributes = std::vector<std::pair<Label, Label>>;
LabelAttributes label_attributes(const Attributes& attributes);

struct EventRecord {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;  // 0 when the event raised no alert (info, orphan clear)
  std::string fingerprint;
  Event event;
};

struct Alert {
  std::int64_t id = 0;
  Text fingerprint;
  Label name;  // alert key
  Text resource;
  Severity severity = Severity::info;
  AlertState state = AlertState::firing;
  bool symptom = false;  // joined its incident because an upstream CI is down
  Text summary;
  LabelAttributes attributes;  // from the first event
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t resolved_at_ms = 0;  // 0 while firing
  std::int64_t count = 0;           // problem events folded into this alert
  std::int64_t incident_id = 0;
  // From the CMDB (empty when the resource matched no CI) and assignment.
  Text ci;       // CI id
  Label group;    // owner group
  Label criticality;
  CiFields cmdb;        // CI name, business services, location, runbook
  Label source;    // collector of the first event (silences match on it)
  // While suppressed: what suppresses it, "maintenance:<id>" or "silence:<id>".
  Label suppressed_by;
};

struct Sla {
  std::int64_t ack_due_ms = 0;  // 0 = no target
  std::int64_t resolve_due_ms = 0;
  bool ack_breached = false;
  bool resolve_breached = false;
};

struct Incident {
  std::int64_t id = 0;
  Text title;
  IncidentState state = IncidentState::open;
  Severity severity = Severity::info;
  int escalation_level = 0;
  Label priority;  // "P1".."P5"
  Text ci;
  Label service;
  Label group;
  Label assignee;
  std::int64_t alert_count = 0;
  std::int64_t event_count = 0;
  std::int64_t opened_at_ms = 0;
  std::int64_t acknowledged_at_ms = 0;  // 0 = not yet
  std::int64_t resolved_at_ms = 0;
  std::int64_t closed_at_ms = 0;
  // The latest reopen (0 = never reopened): the SLA clocks and the escalation
  // count from it instead of opened_at_ms.
  std::int64_t reopened_at_ms = 0;
  Sla sla;
  std::int64_t updated_at_ms = 0;
  // From the CMDB: the root cause's CI (`ci` is its id, or the resource when
  // the CMDB does not know it).
  Label criticality;
  CiFields cmdb;  // CI name, business services, location, runbook
  std::int64_t root_alert_id = 0;  // the alert that opened it
  std::int64_t symptom_count = 0;  // alerts that joined as symptoms
  std::int64_t merged_into = 0;    // adopted by that root-cause incident (state resolved)
  std::int64_t hold_until_ms = 0;  // page held until then (a root cause may adopt it)
  std::int64_t resolve_after_ms = 0;  // all root alerts cleared: resolves then unless they fire again
  std::int64_t next_escalation_ms = 0;  // due time of escalation level `escalation_level` (0 = none pending)
  // The lifecycle (correlator/lifecycle.cpp).
  Label resolution_code;  // given when resolved by hand, e.g. "fixed"
  Label previous_group;   // the owner before the latest forward: where `return` sends it
  Label priority_set_by;  // who set the priority by hand (empty: the matrix chose it)
  // Incidents opened on the same CI within the recurrence window before this
  // one (correlator/recurrence.hpp): a problem candidate when it is high.
  std::int64_t recurrence_count = 0;
};

// A resource that events named but no CI matched.
struct CmdbGap {
  std::string resource;
  std::string source;  // collector of the latest event
  std::int64_t count = 0;  // problem events; in a ChangeSet: to add
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
};

struct TimelineEntry {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t incident_id = 0;
  std::int64_t at_ms = 0;
  std::string actor;   // "tocsin", a user name, a token name
  std::string action;  // "opened", "event", "acknowledged", "resolved", "notified", ...
  std::string text;
};

struct Notification {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t incident_id = 0;
  std::string channel;    // "email", "sms", "webhook"
  std::string recipient;  // address or number
  std::string subject;
  std::string body;
  NotificationState state = NotificationState::pending;
  int attempts = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_ms = 0;
  std::int64_t sent_at_ms = 0;
  std::string last_error;
  bool possible_duplicate = false;  // its send was in flight at a crash
  // Why it was sent: the person paged (roster id, empty for a configured
  // address), the kind of change ("opened", "escalated", "acknowledged",
  // "resolved", "sla_breach", "flapping") and the escalation step. One
  // notification per (incident, kind, step, person, channel).
  std::string person;
  std::string kind = "opened";
  int step = 0;
  // What the gateway said after delivery: its message id and the latest
  // delivery report (e.g. Kannel DLR "delivered", "failed").
  std::string gateway_id;
  std::string delivery_status;
};

// Highest ids in use, so the correlator can allocate ids without a round trip.
struct IdState {
  std::int64_t event = 0;
  std::int64_t alert = 0;
  std::int64_t incident = 0;
  std::int64_t silence = 0;
  std::int64_t maintenance = 0;  // windows added through the API
};

// A repeat of a firing alert moves only its counters. Written as a narrow
// update of unindexed columns: most events of a storm are repeats, and a full
// row upsert costs several times more in the store.
struct AlertRepeat {
  std::int64_t id = 0;
  std::int64_t count = 0;
  std::int64_t last_seen_ms = 0;
  Severity severity = Severity::info;
};

struct IncidentRepeat {
  std::int64_t id = 0;
  std::int64_t event_count = 0;
  Severity severity = Severity::info;
  std::int64_t updated_at_ms = 0;
};

// Everything one batch changed. Alerts and incidents are full rows (upserts by
// id) or counter updates; events, timeline entries and notifications are appended.
struct ChangeSet {
  std::vector<EventRecord> events;
  std::vector<Alert> alerts;
  std::vector<Incident> incidents;
  std::vector<TimelineEntry> timeline;
  std::vector<Notification> notifications;
  std::vector<AlertRepeat> alert_repeats;        // alerts not in `alerts`
  std::vector<IncidentRepeat> incident_repeats;  // incidents not in `incidents`
  std::vector<CmdbGap> cmdb_gaps;                // added to the stored counts
  std::vector<std::int64_t> cancelled_pages;     // incidents whose pending notifications are cancelled
  std::vector<suppression::Silence> silences;    // upserts (added, expired)
  std::vector<suppression::MaintenanceWindow> maintenance;  // API windows added
  std::vector<std::pair<std::string, std::int64_t>> removed_maintenance;  // API windows removed: (id, when)

  bool empty() const {
    return events.empty() && alerts.empty() && incidents.empty() && timeline.empty() && notifications.empty() &&
           alert_repeats.empty() && incident_repeats.empty() && cmdb_gaps.empty() && cancelled_pages.empty() &&
           silences.empty() && maintenance.empty() && removed_maintenance.empty();
  }
  void clear() {
    events.clear();
    alerts.clear();
    incidents.clear();
    alert_repeats.clear();
    incident_repeats.clear();
    timeline.clear();
    notifications.clear();
    cmdb_gaps.clear();
    cancelled_pages.clear();
    silences.clear();
    maintenance.clear();
    removed_maintenance.clear();
  }
};

}  // namespace tocsin
