// Bounded queue, single writer, group commit on a store thread of its own.
#include "daemon/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <chrono>
#include <unordered_set>

namespace tocsin {

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto l = spdlog::get("pipeline");
    return l ? l : spdlog::default_logger()->clone("pipeline");
  }();
  return log;
}
}  // namespace

Pipeline::Pipeline(PipelineConfig config, std::unique_ptr<Store> store, CorrelatorConfig correlator,
                   const Clock& clock, StatsRegistry& stats)
    : config_(config),
      store_(std::move(store)),
      recurrence_window_(correlator.recurrence.window_ms),
      correlator_(std::move(correlator), stats),
      clock_(clock),
      accepted_(stats.counter("tocsin_pipeline_events_accepted_total", "Events taken into the pipeline queue")),
      dropped_full_(stats.counter("tocsin_pipeline_events_dropped_total",
                                  "Events from lossy inputs dropped because the queue was full",
                                  {{"reason", "queue_full"}})),
      commits_(stats.counter("tocsin_store_commits_total", "Batches committed to the store")),
      commit_failures_(stats.counter("tocsin_store_commit_failures_total", "Commits that failed and were retried")) {
  queue_gauge_ = stats.gauge("tocsin_pipeline_queue_events", "Events waiting in the pipeline queue", {}, [this] {
    std::lock_guard lock(mutex_);
    return static_cast<double>(queued_events_);
  });
  firing_gauge_ = stats.gauge("tocsin_alerts_firing", "Alerts currently firing", {},
                              [this] { return static_cast<double>(firing_alerts_.load()); });
  suppressed_gauge_ = stats.gauge("tocsin_alerts_suppressed", "Alerts firing but suppressed by a maintenance window or a silence", {},
                                  [this] { return static_cast<double>(suppressed_alerts_.load()); });
}

Pipeline::~Pipeline() { stop(); }

void Pipeline::start() {
  correlator_.restore(store_->max_ids(), store_->firing_alerts(), store_->unresolved_incidents());
  if (std::int64_t window = recurrence_window_; window > 0) {
    std::vector<std::pair<std::string, std::int64_t>> openings;
    for (auto& o : store_->incident_openings(clock_.wall_ms() - window))
      openings.emplace_back(std::move(o.ci), o.opened_at_ms);
    correlator_.restore_recurrence(openings);
  }
  // Expired silences are listed for a week after they end.
  correlator_.restore_suppression(store_->silences(clock_.wall_ms() - 7 * suppression::day_ms),
                                  store_->maintenance_windows());
  firing_alerts_ = correlator_.firing_alert_count();
  suppressed_alerts_ = correlator_.suppressed_alert_count();
  logger()->info("state restored: {} firing alerts, {} unresolved incidents", correlator_.firing_alert_count(),
                 correlator_.unresolved_incident_count());
  // From here on the store thread is the one that uses store_, except for the
  // reads of the pipeline thread made while no commit is in flight.
  store_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store");
    run_store();
  });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "pipeline");
    run();
  });
  ready_ = true;
}

void Pipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();  // after its last commit is done
  {
    std::lock_guard lock(store_mutex_);
    store_stopping_ = true;
  }
  store_wake_.notify_all();
  if (store_thread_.joinable()) store_thread_.join();
  ready_ = false;
}

std::size_t Pipeline::offer(std::vector<Event>& events) {
  std::size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      std::size_t room = config_.queue_capacity > queued_events_ ? config_.queue_capacity - queued_events_ : 0;
      taken = std::min(room, events.size());
      if (taken > 0) {
        Batch b;
        if (taken == events.size()) {
          b.events = std::move(events);
        } else {
          b.events.assign(std::make_move_iterator(events.begin()), std::make_move_iterator(events.begin() + taken));
        }
        queued_events_ += taken;
        queue_.emplace_back(std::move(b));
      }
    }
  }
  if (taken > 0) wake_.notify_one();
  accepted_.inc(taken);
  if (taken < events.size()) dropped_full_.inc(events.size() - taken);
  return taken;
}

void Pipeline::submit(std::vector<Event> events, std::function<void()> durable) {
  accepted_.inc(events.size());
  {
    std::lock_guard lock(mutex_);
    queued_events_ += events.size();
    queue_.emplace_back(Batch{std::move(events), std::move(durable)});
  }
  wake_.notify_one();
}

void Pipeline::act(IncidentAction action, ActionDone done) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(Action{std::move(action), std::move(done)});
  }
  wake_.notify_one();
}

void Pipeline::suppress(suppression::Request request, std::function<void(suppression::Result)> done) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(Suppress{std::move(request), std::move(done)});
  }
  wake_.notify_one();
}

void Pipeline::set_correlator_config(CorrelatorConfig config) {
  std::lock_guard lock(mutex_);
  pending_config_ = std::make_unique<CorrelatorConfig>(std::move(config));
  pending_oncall_.reset();
}

void Pipeline::set_oncall(std::shared_ptr<const oncall::Directory> directory) {
  std::lock_guard lock(mutex_);
  if (pending_config_) pending_config_->oncall = std::move(directory);
  else pending_oncall_ = std::make_unique<std::shared_ptr<const oncall::Directory>>(std::move(directory));
}

void Pipeline::set_cmdb(std::shared_ptr<const cmdb::Cmdb> cmdb) {
  {
    std::lock_guard lock(mutex_);
    pending_cmdb_ = std::move(cmdb);
  }
  wake_.notify_one();
}

void Pipeline::run() {
  std::deque<Item> items;
  // Timers (held pages, windows, SLA and escalation steps) run on this thread
  // too, so that the correlator stays the only writer of incident state.
  auto next_tick = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.tick_ms);
  for (;;) {
    bool tick = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_tick, [this] { return stopping_ || !queue_.empty() || pending_cmdb_; });
      if (queue_.empty() && stopping_) break;
      if (auto now = std::chrono::steady_clock::now(); now >= next_tick) {
        tick = true;
        next_tick = now + std::chrono::milliseconds(config_.tick_ms);
      }
      if (pending_config_) {
        pending_config_->cmdb = correlator_.cmdb();
        correlator_.set_config(std::move(*pending_config_));
        pending_config_.reset();
      }
      if (pending_cmdb_) {
        correlator_.set_cmdb(std::move(*pending_cmdb_));
        pending_cmdb_.reset();
      }
      if (pending_oncall_) {
        correlator_.set_oncall(std::move(*pending_oncall_));
        pending_oncall_.reset();
      }
      // Take whole items up to batch_max events: everything that queued while
      // the previous commit ran shares the next one.
      std::size_t events = 0;
      while (!queue_.empty() && (items.empty() || events < config_.batch_max)) {
        if (auto* b = std::get_if<Batch>(&queue_.front())) events += b->events.size();
        items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= std::min(queued_events_, events);
    }
    process(items, tick);
    items.clear();
  }
  wait_for_store();
}

void Pipeline::process(std::deque<Item>& items, bool tick) {
  // The store thread cleared this one: its vectors keep their capacity.
  Commit& out = next_;
  ChangeSet& changes = out.changes;
  std::unordered_set<std::int64_t> acted;
  std::int64_t now = clock_.wall_ms();
  for (auto& item : items) {
    if (auto* b = std::get_if<Batch>(&item)) {
      for (auto& e : b->events) correlator_.on_event(std::move(e), now, changes);
      if (b->durable) out.durable.push_back(std::move(b->durable));
      continue;
    }
    if (auto* s = std::get_if<Suppress>(&item)) {
      out.suppression_replies.emplace_back(std::move(s->done), correlator_.on_suppression(s->request, now, changes));
      continue;
    }
    auto& a = std::get<Action>(item);
    acted.insert(a.action.incident_id);
    const bool held = correlator_.holds_incident(a.action.incident_id);
    if (!held) {
      wait_for_store();  // what the previous batch changed is in the store
      if (auto stored = store_->incident(a.action.incident_id)) a.action.stored = std::move(stored->incident);
    }
    const bool known = held || a.action.stored.has_value();
    // Replies (e-mail, SMS) name a person, not a token: check that they may act
    // on this incident, against the pages already committed for it.
    if (a.action.check_authority) {
      const std::int64_t id = a.action.incident_id;
      auto pages = [this, id] {
        wait_for_store();
        return store_->notifications(id);
      };
      if (auto refused = correlator_.authorize(a.action, pages, now)) {
        out.replies.emplace_back(std::move(a.done), std::move(*refused));
        continue;
      }
    }
    ActionResult r = correlator_.on_action(a.action, now, changes);
    if (r.status == 404 && known)
      r = {409, "incident " + std::to_string(a.action.incident_id) + " is already resolved", std::nullopt};
    out.replies.emplace_back(std::move(a.done), std::move(r));
  }
  if (tick) {
    correlator_.on_tick(now, changes);
    wait_for_store();
    close_due_incidents(acted, now, changes);
    // After the replies: they wait for their own commit only.
    out.flush = true;
  }
  correlator_.flush(changes);
  firing_alerts_ = correlator_.firing_alert_count();
  suppressed_alerts_ = correlator_.suppressed_alert_count();
  hand_off();
}

void Pipeline::hand_off() {
  if (next_.empty()) return;
  {
    std::unique_lock lock(store_mutex_);
    store_wake_.wait(lock, [this] { return !store_busy_; });
    std::swap(in_store_, next_);
    store_busy_ = true;
  }
  store_wake_.notify_all();
}

void Pipeline::wait_for_store() {
  std::unique_lock lock(store_mutex_);
  store_wake_.wait(lock, [this] { return !store_busy_; });
}

void Pipeline::run_store() {
  std::unique_lock lock(store_mutex_);
  for (;;) {
    store_wake_.wait(lock, [this] { return store_busy_ || store_stopping_; });
    if (!store_busy_) return;
    lock.unlock();
    complete(in_store_);
    lock.lock();
    store_busy_ = false;
    store_wake_.notify_all();
  }
}

void Pipeline::complete(Commit& commit) {
  bool paged = !commit.changes.notifications.empty();
  if (!commit.changes.empty()) commit_with_retry(commit.changes);
  for (auto& done : commit.durable) done();
  for (auto& [done, result] : commit.replies)
    if (done) done(std::move(result));
  for (auto& [done, result] : commit.suppression_replies)
    if (done) done(std::move(result));
  if (paged && notify_) notify_();
  if (commit.flush) flush_deferred();
  // Freeing the batch's rows and events here keeps it off the pipeline thread.
  commit.clear();
}

void Pipeline::Commit::clear() {
  changes.clear();
  durable.clear();
  replies.clear();
  suppression_replies.clear();
  flush = false;
}

// Resolved incidents live only in the store: the due ones are read by the
// (state, resolved_at_ms) index, a batch per tick. An incident acted on in
// this batch waits for the next tick, when the store shows what the action did.
void Pipeline::close_due_incidents(const std::unordered_set<std::int64_t>& acted, std::int64_t now,
                                   ChangeSet& changes) {
  const AutoCloseConfig& config = correlator_.auto_close_config();
  if (config.after_ms <= 0) return;
  try {
    std::size_t closed = correlator_.auto_close_resolved(store_->resolved_before(now - config.after_ms, config.batch),
                                                         acted, now, changes);
    if (closed > 0) logger()->info("auto-close: {} resolved incident(s) closed", closed);
  } catch (const std::exception& e) {
    logger()->warn("auto-close: cannot read the due incidents, next tick retries: {}", e.what());
  }
}

// Repeat counters the store deferred under load reach their rows at least
// once a tick. They are durable already: a failure here is retried at the next.
void Pipeline::flush_deferred() {
  try {
    store_->flush();
  } catch (const std::exception& e) {
    logger()->warn("writing deferred repeat counters failed, next tick retries: {}", e.what());
  }
}

void Pipeline::commit_with_retry(ChangeSet& changes) {
  // Nothing in this batch has been acknowledged, and the correlator already
  // counts it as done: the only correct way forward is to keep trying. Inputs
  // push back meanwhile (queue bound, unacknowledged TCP reads).
  std::chrono::milliseconds backoff{100};
  for (;;) {
    try {
      store_->commit(changes);
      commits_.inc();
      if (!ready_.load() && !stopping_) ready_ = true;
      return;
    } catch (const std::exception& e) {
      commit_failures_.inc();
      ready_ = false;
      logger()->error("commit failed, retrying: {} (batch of {} events)", e.what(), changes.events.size());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds{5000});
    }
  }
}

}  // namespace tocsin
