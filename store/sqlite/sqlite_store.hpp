#pragma once
// The embedded Store: one SQLite file in WAL mode and, beside it, the
// append-only event journal (event_journal.hpp, README.md). Each instance is one
// connection for one thread; the correlator thread commits, the API thread
// reads and the outbox worker claims and marks notifications, each through its
// own instance on the same file. commit() returns only once the batch is
// fsynced (synchronous=FULL), so inputs may be acknowledged after it.

#include <cstdint>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/event_journal.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

namespace tocsin {

struct SqliteOptions {
  // How long a writer waits for another connection's write transaction.
  int busy_timeout_ms = 5000;
  // Page cache per connection.
  int cache_kib = 32 * 1024;
  // WAL checkpoints on a thread of their own instead of inside this
  // connection's commits: for the connection that writes the most (the
  // pipeline's). Others keep SQLite's auto-checkpoint.
  bool background_checkpoint = false;
  CheckpointOptions checkpoint;
  // The event journal moves on to a new segment file once the current one
  // holds this much.
  std::uint64_t journal_segment_bytes = 64ull << 20;
  // Deferred repeats (README.md): under load (a commit of at least
  // repeat_defer_min_events events, or commits of that many together within
  // about the last 100 ms) a commit journals its alerts' and incidents' repeat
  // counters and keeps them in memory instead of updating their rows, for up
  // to repeat_flush_ms; a commit not under load, the first one past that age,
  // flush() and closing the store write them. 0: every commit writes its repeats.
  std::int64_t repeat_flush_ms = 0;
  std::size_t repeat_defer_min_events = 256;
  const Clock* clock = nullptr;  // the age of deferred repeats; the system's monotonic clock when null
  bool flush_on_close = true;    // false: closing leaves them to the next open (as a crash does)
  StatsRegistry* stats = nullptr;  // the checkpointer's counters, if given
};

class SqliteStore final : public Store {
 public:
  // Creates the parent directory and the schema if missing, migrates an older
  // schema. Throws std::runtime_error naming the path and SQLite's message if
  // the file cannot be opened, is not a database, or has a newer schema.
  explicit SqliteStore(const std::string& path, SqliteOptions options = {});
  ~SqliteStore() override;

  // One transaction; on failure nothing of the batch is kept and
  // std::runtime_error is thrown. Timeline and notification ids are assigned
  // here; the ids the caller put in them are ignored.
  void commit(const ChangeSet& changes) override;
  // Writes the deferred repeats (SqliteOptions::repeat_flush_ms).
  void flush() override;

  IdState max_ids() override;
  std::vector<Alert> firing_alerts() override;
  std::vector<Incident> unresolved_incidents() override;

  // Newest first (highest id first).
  std::vector<Incident> incidents(const IncidentFilter& filter) override;
  // Alerts by id, timeline chronological.
  std::optional<IncidentDetail> incident(std::int64_t id) override;
  // Newest first.
  std::vector<Alert> alerts(const AlertFilter& filter) override;
  // The latest `limit` events, newest first.
  std::vector<EventRecord> events_of_alert(std::int64_t alert_id, std::int64_t limit) override;
  std::vector<std::string> recent_attribute_values(const std::string& source, const std::string& key,
                                                   std::int64_t limit) override;

  // Oldest due first. The mark_* calls throw std::runtime_error for an
  // unknown notification id.
  std::vector<Notification> claim_due(std::int64_t now_ms, int limit) override;
  void mark_sent(std::int64_t id, std::int64_t now_ms) override;
  void mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) override;
  void mark_failed(std::int64_t id, const std::string& error) override;
  int recover_in_flight() override;
  bool record_delivery_report(std::int64_t id, const std::string& status, const std::string& gateway_id = "") override;
  // In creation order.
  std::vector<Notification> notifications(std::int64_t incident_id) override;
  std::int64_t pending_notifications() override;
  std::vector<Notification> claim_due_for(const std::string& channel, const std::string& recipient,
                                          std::int64_t now_ms, int limit) override;
  void release(std::int64_t id, std::int64_t next_attempt_ms, const std::string& note) override;
  std::vector<CmdbGap> cmdb_gaps(std::int64_t limit) override;
  std::vector<suppression::Silence> silences(std::int64_t ended_after_ms) override;
  std::vector<suppression::MaintenanceWindow> maintenance_windows() override;

  std::vector<Incident> resolved_before(std::int64_t resolved_before_ms, std::int64_t limit) override;
  std::vector<IncidentOpening> incident_openings(std::int64_t since_ms) override;
  std::vector<ProblemCandidate> problems(const ProblemFilter& filter) override;
  std::vector<CiOverride> cmdb_overlay() override;
  void commit_cmdb(const CmdbChange& change) override;
  std::vector<CiHistoryEntry> ci_history(const std::string& ci, std::int64_t limit) override;
  // The SQL of problems(), for tests of its query plan.
  static std::string problems_query();
  // Null unless background_checkpoint (and a file database).
  const Checkpointer* checkpointer() const { return checkpointer_.get(); }
  Checkpointer* checkpointer() { return checkpointer_.get(); }
  // Each write is its own durable transaction.
  std::int64_t add_override(const oncall::StoredOverride& o) override;
  bool remove_override(std::int64_t id) override;
  std::vector<oncall::StoredOverride> overrides() override;
  std::vector<oncall::StoredEntry> oncall_entries() override;
  void write_oncall_entry(const oncall::StoredEntry& entry, const oncall::EntryChange& change) override;
  std::vector<oncall::EntryChange> oncall_history(const std::string& kind, const std::string& id,
                                                  std::int64_t limit) override;
  std::int64_t add_duty_note(const oncall::DutyNote& note, std::int64_t keep_per_group) override;
  std::vector<oncall::DutyNote> duty_notes(const std::string& group, std::int64_t since_ms,
                                           std::int64_t limit) override;

 private:
  class RowWriter;

  void configure(const SqliteOptions& options);
  void upsert(const Incident& incident);
  void upsert(const Alert& alert);
  void update(const IncidentRepeat& repeat);
  void update(const AlertRepeat& repeat);
  void update(const AlertRepeat& repeat, std::optional<std::int64_t> head);
  struct JournalState {
    sqlite::JournalPosition position;
    std::int64_t last_event_id = 0;
    std::int64_t events = 0;
    std::int64_t repeats_from = 0;  // reference: repeats journaled before it are in their rows
    friend bool operator==(const JournalState&, const JournalState&) = default;
  };
  // The newest record of a chain in the journal: an alert's latest event, an
  // incident's latest timeline entry.
  struct EventHead {
    std::int64_t reference = 0;
    bool written = false;  // to the alert's (incident's) row in this commit
  };
  class JournalWrite {
   public:
    JournalWrite() = default;
    JournalWrite(const JournalWrite&) = delete;
    JournalWrite& operator=(const JournalWrite&) = delete;
    ~JournalWrite();
    void start(sqlite::EventJournal& journal, sqlite::JournalPosition at, const std::string& records);
    void finish();

   private:
    std::future<void> done_;
  };
  struct PendingAlert {
    AlertRepeat repeat;
    std::int64_t head = 0;  // the alert's newest event, 0: the stored one
  };
  // How the pending repeats were before the commit in progress.
  struct Undo {
    std::vector<std::pair<std::int64_t, std::optional<PendingAlert>>> alerts;
    std::vector<std::pair<std::int64_t, std::optional<IncidentRepeat>>> incidents;
    std::int64_t since_ms = 0;
    bool since_set = false;
    void clear() {
      alerts.clear();
      incidents.clear();
      since_set = false;
    }
  };
  bool defer_repeats(const ChangeSet& changes);
  bool under_load(std::size_t events);
  void append_repeats(const ChangeSet& changes);
  void keep_pending(const ChangeSet& changes);
  void write_pending();
  void set_pending_alert(std::int64_t id, const PendingAlert& p);
  void erase_pending_alert(std::int64_t id);
  void set_pending_incident(std::int64_t id, const IncidentRepeat& r);
  void erase_pending_incident(std::int64_t id);
  void undo_pending();
  void recover_repeats();
  JournalState journal_state();
  void set_journal_state(const JournalState& state);
  sqlite::JournalPosition append_events(const ChangeSet& changes, JournalState& state);
  std::optional<std::int64_t> take_event_head(std::int64_t alert_id);
  template <typename Stored>
  void frame_event(const EventRecord& r, sqlite::JournalPosition records_at, Stored stored);
  std::int64_t stored_head(std::int64_t alert_id);
  void write_event_heads();
  void append_timeline(const ChangeSet& changes, sqlite::JournalPosition records_at);
  template <typename Stored>
  void frame_timeline(const TimelineEntry& t, sqlite::JournalPosition records_at, Stored stored);
  std::int64_t stored_timeline_head(std::int64_t incident_id);
  void write_timeline_heads();
  void keep_heads(const JournalState& state);
  void forget_heads();
  template <typename Frame>
  void move_table_to_journal(const std::string& table, std::string_view columns, Frame frame);
  void insert(const Notification& notification);
  void upsert(const CmdbGap& gap);
  void cancel_pending(std::int64_t incident_id);
  void upsert(const suppression::Silence& silence);
  void insert(const suppression::MaintenanceWindow& window);
  void remove_window(const std::string& id, std::int64_t removed_at_ms);
  void expect_one_notification_changed(std::int64_t id);

  sqlite::Database db_;
  // Encoded string lists of the row being written, bound without a copy
  // (they outlive the statement's step); reused from row to row.
  std::string encoded_[2];
  std::unique_ptr<RowWriter> incident_writer_;
  std::unique_ptr<RowWriter> alert_writer_;
  std::unique_ptr<sqlite::EventJournal> journal_;
  std::uint64_t segment_bytes_;
  std::string records_;  // framed records of the commit
  std::string body_;     // the record being encoded
  // Per alert, its latest event: as this commit leaves it, and as this
  // connection's earlier commits left it while the journal stood at cached_state_.
  boost::unordered_flat_map<std::int64_t, EventHead> heads_;
  boost::unordered_flat_map<std::int64_t, std::int64_t> head_cache_;
  boost::unordered_flat_set<std::int64_t> new_alerts_;  // ids of the alert rows in the commit
  // Per incident, its latest timeline entry, likewise.
  boost::unordered_flat_map<std::int64_t, EventHead> timeline_heads_;
  boost::unordered_flat_map<std::int64_t, std::int64_t> timeline_cache_;
  boost::unordered_flat_set<std::int64_t> new_incidents_;  // ids of the incident rows in the commit
  JournalState cached_state_;  // head_cache_ and timeline_cache_ hold when the journal is here
  SqliteOptions options_;
  const Clock& clock_;
  std::int64_t commit_seq_ = 0;  // the end of the commit in progress in the journal
  boost::unordered_flat_map<std::int64_t, PendingAlert> pending_alerts_;
  boost::unordered_flat_map<std::int64_t, IncidentRepeat> pending_incidents_;
  boost::unordered_flat_map<std::int64_t, PendingAlert> flushed_alerts_;  // written by the commit in progress
  boost::unordered_flat_map<std::int64_t, IncidentRepeat> flushed_incidents_;
  std::int64_t pending_since_ms_ = 0;  // monotonic: when the oldest pending repeat was kept
  // Events committed in the current and the previous load window (under_load).
  struct LoadWindow {
    std::int64_t start_ms = std::numeric_limits<std::int64_t>::min() / 2;  // monotonic
    std::size_t events = 0;
    std::size_t previous = 0;
  } load_;
  Undo undo_;
  // Declared after db_: stops, and detaches from it, first.
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace tocsin
