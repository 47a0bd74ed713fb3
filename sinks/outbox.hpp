#pragma once
// The outbox worker: the only path from a committed notification intent to a
// Sink. It claims due notifications from the Store, delivers them one by one,
// and records the outcome there: sent, retried after a capped exponential
// backoff, or failed. A send whose outcome was unknown at a crash is returned to
// pending by `recover_in_flight` and resent flagged as a possible duplicate.
//
// Attempt accounting (as the SQLite store does it): claim_due counts the
// attempt it starts, so a claimed notification's `attempts` is the number of
// this attempt, 1 on the first.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "correlator/clock.hpp"
#include "correlator/stats.hpp"
#include "sinks/sink.hpp"
#include "sinks/throttle.hpp"
#include "store/store.hpp"

namespace tocsin {

struct OutboxConfig {
  // Delay after the first failed attempt; doubles with each further failure.
  std::chrono::milliseconds initial_backoff{5000};
  // Ceiling of the delay: a dead server is retried forever, at most this far apart.
  std::chrono::milliseconds max_backoff{300000};
  // Most deliveries per pass before the worker looks at stop and wake requests again.
  int batch = 32;
  // How often the store is polled when nobody calls wake().
  std::chrono::milliseconds poll_interval{1000};
  // Rate limit, bundling and quiet hours (sinks/throttle.hpp).
  ThrottleConfig throttle;
};

// Delay before the next attempt after `failed_attempts` failures (>= 1):
// initial * 2^(failed_attempts - 1), capped at max_backoff.
std::chrono::milliseconds retry_delay(const OutboxConfig& config, int failed_attempts);

class OutboxWorker {
 public:
  OutboxWorker(OutboxConfig config, std::function<std::unique_ptr<Store>()> open_store,
               std::vector<std::unique_ptr<Sink>> sinks, const Clock& clock, StatsRegistry& stats);
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // The IANA time zone of a paged person (Notification::person), "" when the
  // person has none or is unknown: quiet hours count in it when
  // notifications.quiet_hours.per_person is on. Set before start(); called
  // on the worker's thread.
  using PersonZone = std::function<std::string(const std::string& person)>;
  void set_person_zone(PersonZone zone) { person_zone_ = std::move(zone); }
  // SIGHUP: new rate limit, bundling and quiet hours, taken by the worker at
  // its next pass; what the limiter counted so far is kept.
  void reconfigure(const ThrottleConfig& throttle);
  // Starts the thread: recover_in_flight() once, then run_once() in a loop.
  void start();
  // New notifications were committed: deliver them without waiting for the poll.
  void wake();
  // Lets the delivery in progress finish (bounded by the sink's timeout), then
  // joins the thread. Idempotent.
  void stop();
  // Delivers up to `batch` notifications due at clock.wall_ms() and records each
  // outcome; returns how many were handled. Called by the thread, or directly by
  // tests when the thread is not started.
  int run_once();

 private:
  void run();
  // Before the first delivery; retried on every pass until the store answers.
  bool recover();
  void wait_for_work(bool more_due);
  Store& store();
  Sink* sink_for(const std::string& channel) const;
  void handle(const Notification& n);
  // Held by quiet hours or the rate limit: handed back to pending until then.
  bool hold(const Notification& n, std::int64_t now_ms);
  // True when the sink took the message.
  bool deliver_all(const std::vector<Notification>& items, Sink& sink);
  void record_sent(const Notification& n, int attempt);
  void record_retry(const Notification& n, int attempt, const std::string& error);
  void record_failed(const Notification& n, int attempt, const std::string& reason, const std::string& error);

  OutboxConfig config_;
  std::function<std::unique_ptr<Store>()> open_store_;
  std::unique_ptr<Store> store_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  const Clock& clock_;
  StatsRegistry& stats_;
  std::atomic<std::int64_t> pending_{0};
  GaugeHandle pending_gauge_;
  RecipientLimiter limiter_;
  PersonZone person_zone_;

  std::mutex mutex_;
  std::optional<ThrottleConfig> next_throttle_;  // under mutex_
  std::condition_variable cv_;
  bool wake_requested_ = false;
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace tocsin
