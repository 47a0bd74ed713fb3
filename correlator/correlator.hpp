#pragma once
// The correlation engine: folds Events and incident actions into Alerts and
// Incidents. Pure logic over (state, input, now): no I/O, no clock of its own.
// Every change is appended to a ChangeSet that the pipeline commits as one
// transaction; the in-memory state holds only what can still change (firing
// alerts, unresolved incidents) and is rebuilt from the store at start-up.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "correlator/actions.hpp"
#include "correlator/auto_close.hpp"
#include "correlator/assignment.hpp"
#include "correlator/cmdb/cmdb.hpp"
#include "correlator/enrichment.hpp"
#include "correlator/grouping.hpp"
#include "correlator/oncall/authority.hpp"
#include "correlator/oncall/directory.hpp"
#include "correlator/model.hpp"
#include "correlator/notify/webhook.hpp"
#include "correlator/priority.hpp"
#include "correlator/recurrence.hpp"
#include "correlator/rules/rule_state.hpp"
#include "correlator/sla/escalation.hpp"
#include "correlator/sla/sla.hpp"
#include "correlator/stats.hpp"
#include "correlator/suppression/suppression.hpp"
#include "correlator/topology.hpp"

namespace tocsin {

struct CorrelatorConfig {
  std::string default_group = "noc";           // owner of incidents until the CMDB names one
  std::vector<std::string> email_recipients;   // paged by e-mail when an incident opens
  std::string console_url;                     // base of the links in pages (empty: no link)
  std::shared_ptr<const cmdb::Cmdb> cmdb;      // null: every resource is unknown
  PriorityConfig priority;
  AssignmentConfig assignment;
  GroupingConfig grouping;
  TopologyConfig topology;
  // An incident whose root alerts all cleared resolves after this long
  // without any of them firing again (0: at once).
  std::int64_t auto_resolve_hold_ms = 0;
  // A resolved incident closes this long after it was resolved (0: never).
  AutoCloseConfig auto_close = {};
  // Incidents per CI over a window, recorded on each new incident.
  RecurrenceConfig recurrence = {};
  rules::RulesConfig rules = {};               // flapping defaults and heartbeats
  // People, groups and rosters (null: nobody is paged by roster).
  std::shared_ptr<const oncall::Directory> oncall;
  // SLA targets and escalation policies (correlator/sla/README.md). A group
  // with an escalation policy is paged by it instead of `email_recipients`.
  sla::SlaConfig sla = {};
  sla::EscalationConfig escalation = {};
  // Webhooks told of incident changes (notifications.webhook.targets); each
  // POST is a notification on channel "webhook" through the outbox.
  std::vector<notify::WebhookTarget> webhooks;
  // Maintenance windows from the configuration file; those added through the
  // API are kept across reloads (correlator/suppression/).
  std::vector<suppression::MaintenanceWindow> maintenance = {};
};

class Correlator {
 public:
  Correlator(CorrelatorConfig config, StatsRegistry& stats);

  // Also swaps the CMDB snapshot; alerts and incidents keep their state.
  void set_config(CorrelatorConfig config);
  // Swaps only the CMDB snapshot (a CI changed through the API, a reload).
  void set_cmdb(std::shared_ptr<const cmdb::Cmdb> cmdb);
  const std::shared_ptr<const cmdb::Cmdb>& cmdb() const { return config_.cmdb; }
  const AutoCloseConfig& auto_close_config() const { return config_.auto_close; }
  // Swaps only the on-call directory (an override was added or removed).
  void set_oncall(std::shared_ptr<const oncall::Directory> directory) { config_.oncall = std::move(directory); }

  // Rebuilds the working state from the store (start-up).
  void restore(const IdState& ids, std::vector<Alert> firing, std::vector<Incident> unresolved);
  // Openings (CI, time) within the recurrence window, oldest first (start-up).
  void restore_recurrence(const std::vector<std::pair<std::string, std::int64_t>>& openings);

  // Closes those of `resolved` (read from the store) that are due, except the
  // ones in `skip` (acted on in the batch being built) and the ones held in
  // the working set (reopened, not yet committed). Returns how many closed.
  std::size_t auto_close_resolved(std::vector<Incident> resolved, const std::unordered_set<std::int64_t>& skip,
                                  std::int64_t now_ms, ChangeSet& changes);
  // The stored silences and API maintenance windows (start-up, after restore).
  void restore_suppression(std::vector<suppression::Silence> silences,
                           std::vector<suppression::MaintenanceWindow> windows);

  // Folds one event. The event record is appended to `changes` at once; changed
  // alerts and incidents are appended by flush().
  void on_event(Event event, std::int64_t now_ms, ChangeSet& changes);

  // Applies a person's action to an unresolved incident. Returns 404 when the
  // incident is not among the unresolved ones; the caller tells a resolved
  // incident (409) from an unknown one (404) by asking the store.
  ActionResult on_action(const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes);

  // For an action with check_authority: 403 unless its actor may act on the
  // incident (oncall::standing over the directory, the incident's group and
  // `pages`, the incident's notifications, read only if needed). Nothing when
  // allowed, or when the incident is neither held nor in action.stored
  // (on_action answers then).
  std::optional<ActionResult> authorize(const IncidentAction& action, const oncall::PagesOf& pages,
                                        std::int64_t now_ms) const;
  // Lists, adds, expires or removes silences and maintenance windows. A
  // silence expired or a window removed ends the suppression of the alerts it
  // covered in the same ChangeSet.
  suppression::Result on_suppression(const suppression::Request& request, std::int64_t now_ms, ChangeSet& changes);

  // Runs the timers that are due at `now_ms` (wall time, as recorded in due
  // times). Called about once a second by the pipeline, on the same thread as
  // on_event, and by tests with a fake clock.
  void on_tick(std::int64_t now_ms, ChangeSet& changes);

  // Appends every alert and incident changed since the last flush, once each.
  void flush(ChangeSet& changes);

  std::size_t firing_alert_count() const { return firing_.size() - suppressed_.size(); }
  std::size_t suppressed_alert_count() const { return suppressed_.size(); }
  bool holds_incident(std::int64_t id) const { return incidents_.contains(id); }
  std::size_t unresolved_incident_count() const { return incidents_.size(); }

 private:
  void open_alert(const Event& event, const std::string& fp, std::int64_t now_ms, EventRecord& record,
                  ChangeSet& changes);
  struct FiringAlert;
  void repeat_alert(FiringAlert& alert, const Event& event, std::int64_t now_ms);
  void clear_alert(FiringAlert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes);
  void resolve_incident(Incident& incident, const std::string& actor, const std::string& why, std::int64_t now_ms,
                        ChangeSet& changes);
  void page(const Incident& incident, const Alert& alert, std::int64_t now_ms, ChangeSet& changes);
  // Queues the webhook notifications of one incident change (none when no
  // target wants this kind).
  void post_webhooks(const Incident& incident, notify::PageKind kind, const std::string& actor, std::string_view text,
                     std::int64_t now_ms, ChangeSet& changes);
  // The lifecycle actions other than acknowledge, resolve and escalate (lifecycle.cpp).
  ActionResult act_on_open(Incident& incident, const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes);
  ActionResult act_on_stored(const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes);

  // The incident engine (incident_engine.cpp): where a new alert goes, how
  // incidents merge and resolve, and the state that tracks it.
  // A firing alert (allocated on its own, so its address is stable while it is
  // in firing_) and, while it is among its incident's IncidentWork::alerts,
  // that incident's node in incidents_ (stable until erased, and an incident
  // is erased only after its alerts left it), so that a repeat reaches its
  // incident without a second hash lookup.
  struct FiringAlert : Alert {
    explicit FiringAlert(Alert alert) : Alert(std::move(alert)) {}
    Incident* incident = nullptr;
  };
  struct IncidentWork {
    // Firing alerts of the incident (held by firing_); most incidents have one,
    // kept in place.
    boost::container::small_vector<FiringAlert*, 1> alerts;
    int firing_roots = 0;        // of them, those that are not symptoms
    std::uint32_t ci_index = no_ci;
    Text group_key;
  };
  // An unresolved incident and the engine's state of it, in one node of
  // incidents_ (one allocation and one lookup instead of two).
  struct OpenIncident : Incident {
    explicit OpenIncident(Incident incident) : Incident(std::move(incident)) {}
    IncidentWork work;
  };
  // The work of an incident held in incidents_.
  IncidentWork& work_of(std::int64_t id) { return incidents_.at(id).work; }
  void place_alert(FiringAlert& alert, const Enrichment& e, const Event& event, std::int64_t now_ms, ChangeSet& changes);
  OpenIncident& open_incident(FiringAlert& alert, const Enrichment& e, const Event& event, std::int64_t now_ms,
                          ChangeSet& changes);
  void join(Incident& incident, FiringAlert& alert, bool symptom, std::int64_t now_ms, ChangeSet& changes);
  void adopt_held(Incident& root, std::uint32_t ci_index, std::int64_t now_ms, ChangeSet& changes);
  void merge(Incident& from, Incident& root, std::int64_t now_ms, ChangeSet& changes);
  void alert_cleared(Incident& incident, FiringAlert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes);
  void finish_incident(Incident& incident, const std::string& why, std::int64_t now_ms, ChangeSet& changes);
  void forget_incident(std::int64_t id);
  void rebuild_work();
  // Points the CI fields of the firing alerts and unresolved incidents at the
  // current snapshot's CI of the same id where it holds the same values, else
  // at a copy of their own (start-up, CMDB reload).
  void rebase_ci_fields();
  void run_engine_timers(std::int64_t now_ms, ChangeSet& changes);

  std::unordered_map<std::uint32_t, std::int64_t> by_root_ci_;  // CI index → incident rooted there
  std::unordered_map<std::string, std::int64_t, ViewHash, std::equal_to<>> by_group_key_;  // grouping key → incident
  std::set<std::pair<std::int64_t, std::int64_t>> held_;        // (hold until, incident)
  std::set<std::pair<std::int64_t, std::int64_t>> resolve_due_; // (resolve after, incident)
  GapTracker gaps_;
  RecurrenceCounter recurrence_;
  std::int64_t next_recurrence_prune_ms_ = 0;
  // Threshold, flapping and heartbeat rules, defined in correlator/rules/correlator_hooks.cpp.
  bool rules_hold(const Event& event, const std::string& fp, std::int64_t now_ms);
  bool rules_flap_on_raise(const Event& event, Alert& alert, Incident& incident, std::int64_t now_ms,
                           ChangeSet& changes);
  void rules_on_repeat(const Alert& alert, std::int64_t now_ms);
  bool rules_keep_on_clear(Alert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes);
  void rules_on_orphan_clear(const std::string& fp);
  std::vector<Event> rules_arrived(const Event& event, std::int64_t now_ms);
  void rules_tick(std::int64_t now_ms, ChangeSet& changes);
  void rules_restore();
  void start_flapping(Alert& alert, Incident& incident, const rules::FlappingConfig& settings, std::int64_t now_ms,
                      ChangeSet& changes);

  // Maintenance windows and silences, defined in correlator/suppression/correlator_hooks.cpp.
  void suppression_init(StatsRegistry& stats);
  void suppression_configure();
  void suppression_restore();
  bool suppress_on_open(Alert& alert, std::int64_t now_ms);
  void suppressed_alert_cleared(Alert& alert);
  void suppression_tick(std::int64_t now_ms, ChangeSet& changes);
  void end_suppression(FiringAlert& alert, std::int64_t now_ms, ChangeSet& changes);
  suppression::Suppressions suppressions_;
  std::unordered_set<std::string> suppressed_;  // fingerprints of suppressed alerts (in firing_)
  struct SuppressionCounters {
    Counter* by_maintenance = nullptr;
    Counter* by_silence = nullptr;
    Counter* ended = nullptr;
    Counter* cleared = nullptr;
  } suppression_counters_;
  // Assignment by roster, defined in correlator/oncall/correlator_hooks.cpp.
  // assign_on_call sets the assignee (`named` when a rule gave one, else the
  // group's on-call primary at `now_ms`) and returns why, for the timeline;
  // nullopt when there is no on-call directory and nothing changed.
  void oncall_init(StatsRegistry& stats);
  std::optional<std::string> assign_on_call(Incident& incident, const std::string& named, std::int64_t now_ms);
  void assign_opened(Incident& incident, const std::string& named, std::int64_t now_ms, ChangeSet& changes);
  struct AssignmentCounters {
    Counter* by_rule = nullptr;
    Counter* by_roster = nullptr;
    Counter* nobody = nullptr;
  } assignment_counters_;

  // SLA clocks and escalation steps, defined in correlator/sla/correlator_hooks.cpp.
  void sla_init(StatsRegistry& stats);
  void sla_on_open(Incident& incident);
  void sla_on_reopen(Incident& incident, std::int64_t now_ms, ChangeSet& changes);
  void sla_on_priority(Incident& incident, std::int64_t now_ms, ChangeSet& changes);
  void set_due_times(Incident& incident);
  bool sla_page_opened(std::int64_t incident_id, std::int64_t now_ms, ChangeSet& changes);
  void sla_tick(std::int64_t now_ms, ChangeSet& changes);
  void sla_restore();
  ActionResult sla_escalate(Incident& incident, const IncidentAction& action, std::int64_t now_ms,
                            ChangeSet& changes);
  void schedule_escalation(Incident& incident, const sla::Policy& policy);
  void fire_escalation(Incident& incident, const sla::Policy& policy, const sla::Due& due, const std::string& actor,
                       std::int64_t now_ms, ChangeSet& changes);
  void record_breach(Incident& incident, bool resolve_target, std::int64_t due_ms, std::int64_t now_ms,
                     ChangeSet& changes);
  std::set<std::pair<std::int64_t, std::int64_t>> escalation_due_;   // (next step due, incident)
  std::set<std::pair<std::int64_t, std::int64_t>> ack_target_due_;   // (acknowledge due, incident)
  std::set<std::pair<std::int64_t, std::int64_t>> resolve_target_due_;
  struct SlaCounters {
    Counter* ack_breaches = nullptr;
    Counter* resolve_breaches = nullptr;
    Counter* steps_on_time = nullptr;
    Counter* steps_late = nullptr;
    Counter* steps_manual = nullptr;
  } sla_counters_;

  CorrelatorConfig config_;
  IdState ids_;
  // Fingerprint → firing alert, keyed by the 64-bit value the fingerprint
  // spells in hex (firing_key): no second copy of the string per alert, and
  // no string hashing or comparison per event. An open-addressing table of
  // pointers: the lookup that every event makes touches one cache line of the
  // table and then the alert, where a node-based map also reads the bucket
  // array and the node before.
  using FiringAlerts = boost::unordered_flat_map<std::uint64_t, std::unique_ptr<FiringAlert>>;
  FiringAlerts firing_;
  using FiringIt = FiringAlerts::iterator;
  static std::uint64_t firing_key(std::string_view fingerprint);
  // Removes a firing alert from the working set and from the sets of changed
  // ones. Other iterators stay valid: erase while iterating with erase_firing(it++).
  void erase_firing(FiringIt it);
  std::unordered_map<std::int64_t, OpenIncident> incidents_;  // id → unresolved incident and its work
  // Firing alerts changed since the last flush, by address (stable
  // until erased; erase_firing() takes them out of dirty_alerts_): no
  // fingerprint is copied per event.
  std::unordered_set<const Alert*> dirty_alerts_;  // need a full row
  std::unordered_set<std::int64_t> dirty_incidents_;
  // Only counters moved: appended per repeat, duplicates and all, and sorted
  // out at the flush, so that a repeat allocates nothing once the vectors have
  // grown. An alert erased since is skipped by erased_alerts_; a node reused
  // by a new alert is dirty, hence written whole.
  std::vector<const Alert*> repeated_alerts_;
  std::vector<const Alert*> erased_alerts_;
  std::vector<std::int64_t> repeated_incidents_;
  std::vector<Alert> resolved_alerts_;  // left the working set, still to be written

  Counter& events_problem_;
  Counter& events_clear_;
  Counter& events_info_;
  Counter& clears_without_alert_;
  Counter& alerts_opened_;
  Counter& incidents_opened_;
  Counter& incidents_resolved_;
  Counter& symptoms_joined_;
  Counter& alerts_grouped_;
  Counter& incidents_merged_;
  Counter& unknown_resources_;
  Counter& incidents_auto_closed_;
  Counter& incidents_recurring_;
  rules::RuleState rules_;
};

}  // namespace tocsin
