#pragma once
// The pipeline's spine: a bounded queue in front of one thread that folds
// events and actions through the correlator, and a store thread that commits
// each batch in one transaction (group commit) while the next batch is being
// folded. Acknowledgements (TCP reads, HTTP replies, INFORM responses, MQTT
// PUBACKs) are released only after the commit that made their events durable.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "correlator/actions.hpp"
#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/stats.hpp"
#include "store/store.hpp"

namespace tocsin {

struct PipelineConfig {
  std::size_t queue_capacity = 65536;  // events waiting; lossy inputs drop beyond it
  std::size_t batch_max = 16384;       // events folded into one transaction at most
  std::int64_t tick_ms = 1000;         // how often the correlator's timers are run
};

class Pipeline final : public EventSink, public ActionSink {
 public:
  Pipeline(PipelineConfig config, std::unique_ptr<Store> store, CorrelatorConfig correlator, const Clock& clock,
           StatsRegistry& stats);
  ~Pipeline() override;

  // Loads the working state from the store and starts the writer thread.
  void start();
  // Stops taking input, commits everything queued, joins. Bounded by the
  // time of the last commits.
  void stop();

  std::size_t offer(std::vector<Event>& events) override;
  void submit(std::vector<Event> events, std::function<void()> durable) override;
  void act(IncidentAction action, ActionDone done) override;
  // Silences and maintenance windows: answered after the change is durable.
  void suppress(suppression::Request request, std::function<void(suppression::Result)> done);

  // Called (on the store thread) after a commit that queued notifications.
  void on_notifications(std::function<void()> callback) { notify_ = std::move(callback); }
  // The correlator's configuration except the CMDB, which only set_cmdb
  // changes: API changes and file reloads both go through it, in order.
  void set_correlator_config(CorrelatorConfig config);
  void set_cmdb(std::shared_ptr<const cmdb::Cmdb> cmdb);
  // Swaps only the on-call directory, before the next item is folded; alert
  // and incident state stay.
  void set_oncall(std::shared_ptr<const oncall::Directory> directory);
  bool ready() const { return ready_.load(); }

 private:
  struct Batch {
    std::vector<Event> events;
    std::function<void()> durable;
  };
  struct Action {
    IncidentAction action;
    ActionDone done;
  };
  struct Suppress {
    suppression::Request request;
    std::function<void(suppression::Result)> done;
  };
  using Item = std::variant<Batch, Action, Suppress>;
  // One folded batch on its way to the store: its changes and everything that
  // waits for them to be durable. At most one is committed while the next is
  // built; the two swap, so their vectors keep their capacity.
  struct Commit {
    ChangeSet changes;
    std::vector<std::function<void()>> durable;
    std::vector<std::pair<ActionDone, ActionResult>> replies;
    std::vector<std::pair<std::function<void(suppression::Result)>, suppression::Result>> suppression_replies;
    bool flush = false;  // then write the deferred repeats (at a tick)
    bool empty() const {
      return changes.empty() && durable.empty() && replies.empty() && suppression_replies.empty() && !flush;
    }
    void clear();
  };

  void run();
  void process(std::deque<Item>& items, bool tick);
  // Store thread: commits the handed-off batch, then releases its waiters.
  void run_store();
  void complete(Commit& commit);
  // Pipeline thread: hands `next_` to the store thread once the previous
  // commit is done, and waits for that before anything that reads the store.
  void hand_off();
  void wait_for_store();
  void commit_with_retry(ChangeSet& changes);
  void flush_deferred();
  void close_due_incidents(const std::unordered_set<std::int64_t>& acted, std::int64_t now, ChangeSet& changes);

  PipelineConfig config_;
  std::unique_ptr<Store> store_;
  std::int64_t recurrence_window_ = 0;
  Correlator correlator_;
  Commit next_;  // the batch being built; used by the pipeline thread only
  const Clock& clock_;
  std::function<void()> notify_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  std::size_t queued_events_ = 0;
  std::atomic<bool> stopping_{false};  // written under mutex_, read also by the writer thread
  std::unique_ptr<CorrelatorConfig> pending_config_;
  std::optional<std::shared_ptr<const cmdb::Cmdb>> pending_cmdb_;
  std::unique_ptr<std::shared_ptr<const oncall::Directory>> pending_oncall_;
  std::thread thread_;
  std::atomic<bool> ready_{false};

  // The hand-off between the pipeline and the store thread.
  std::mutex store_mutex_;
  std::condition_variable store_wake_;
  Commit in_store_;               // owned by the store thread while store_busy_
  bool store_busy_ = false;
  bool store_stopping_ = false;
  std::thread store_thread_;

  Counter& accepted_;
  Counter& dropped_full_;
  Counter& commits_;
  Counter& commit_failures_;
  GaugeHandle queue_gauge_;
  GaugeHandle firing_gauge_;
  GaugeHandle suppressed_gauge_;
  std::atomic<std::size_t> firing_alerts_{0};
  std::atomic<std::size_t> suppressed_alerts_{0};
};

}  // namespace tocsin
