// The outbox worker: turns committed notification intents into deliveries and
// records every outcome in the Store, so that a page is never lost and, without
// faults, never sent twice.
#include "sinks/outbox.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string_view>

namespace tocsin {

namespace {

std::shared_ptr<spdlog::logger> outbox_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("outbox")) return existing;
    try {
      return spdlog::stdout_color_mt("outbox");
    } catch (const spdlog::spdlog_ex&) {
      return spdlog::get("outbox");  // registered concurrently by someone else
    }
  }();
  return logger;
}

// Subjects and server replies come from outside: keep one log record on one line.
std::string for_log(std::string_view text) {
  constexpr std::size_t max_chars = 200;
  std::string out;
  for (char c : text.substr(0, max_chars)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (text.size() > max_chars) out += "...";
  return out;
}

constexpr const char* sent_metric = "tocsin_notifications_sent_total";
constexpr const char* failed_metric = "tocsin_notifications_failed_total";
constexpr const char* retried_metric = "tocsin_notifications_retried_total";
constexpr const char* store_error_metric = "tocsin_outbox_store_errors_total";
constexpr const char* held_metric = "tocsin_notifications_held_total";
constexpr const char* bundled_metric = "tocsin_notifications_bundled_total";

std::string recipient_key(const Notification& n) { return n.channel + '\n' + n.recipient; }

}  // namespace

std::chrono::milliseconds retry_delay(const OutboxConfig& config, int failed_attempts) {
  auto delay = config.initial_backoff;
  // Doubling step by step instead of shifting keeps large attempt counts from overflowing.
  for (int i = 1; i < failed_attempts && delay < config.max_backoff; ++i) delay *= 2;
  return std::min(delay, config.max_backoff);
}

OutboxWorker::OutboxWorker(OutboxConfig config, std::function<std::unique_ptr<Store>()> open_store,
                           std::vector<std::unique_ptr<Sink>> sinks, const Clock& clock, StatsRegistry& stats)
    : config_(config),
      open_store_(std::move(open_store)),
      sinks_(std::move(sinks)),
      clock_(clock),
      stats_(stats),
      limiter_(config.throttle) {
  config_.throttle.max_bundle = std::max(config_.throttle.max_bundle, 1);
  config_.batch = std::max(config_.batch, 1);
  pending_gauge_ = stats_.gauge("tocsin_outbox_pending", "Notifications waiting for delivery (as of the last pass)", {},
                                [this] { return static_cast<double>(pending_.load()); });
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::reconfigure(const ThrottleConfig& throttle) {
  std::lock_guard lock(mutex_);
  next_throttle_ = throttle;
}

void OutboxWorker::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void OutboxWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    wake_requested_ = true;
  }
  cv_.notify_one();
}

void OutboxWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Store& OutboxWorker::store() {
  // Opened on the thread that uses it: a Store instance belongs to one thread.
  if (!store_) store_ = open_store_();
  return *store_;
}

Sink* OutboxWorker::sink_for(const std::string& channel) const {
  for (const auto& sink : sinks_)
    if (sink->channel() == channel) return sink.get();
  return nullptr;
}

void OutboxWorker::run() {
  bool recovered = false;
  while (!stop_requested_) {
    int handled = 0;
    try {
      if (!recovered) recovered = recover();
      handled = run_once();
    } catch (const std::exception& e) {
      stats_.counter(store_error_metric, "Outbox passes that failed on a store error").inc();
      outbox_log()->error("outbox pass failed, will retry, error=\"{}\"", e.what());
    }
    wait_for_work(handled >= config_.batch);
  }
}

bool OutboxWorker::recover() {
  const int recovered = store().recover_in_flight();
  if (recovered > 0)
    outbox_log()->warn("notifications in flight at the last shutdown will be resent as possible duplicates, count={}",
                       recovered);
  return true;
}

void OutboxWorker::wait_for_work(bool more_due) {
  std::unique_lock lock(mutex_);
  if (!more_due) cv_.wait_for(lock, config_.poll_interval, [this] { return wake_requested_ || stop_requested_; });
  wake_requested_ = false;
}

int OutboxWorker::run_once() {
  {
    std::lock_guard lock(mutex_);
    if (next_throttle_) {
      config_.throttle = std::move(*next_throttle_);
      config_.throttle.max_bundle = std::max(config_.throttle.max_bundle, 1);
      limiter_.reconfigure(config_.throttle);
      next_throttle_.reset();
    }
  }
  Store& s = store();
  int handled = 0;
  // One claim per delivery: a stop between deliveries then never leaves rows
  // claimed but not attempted, which recovery would resend as possible duplicates.
  while (handled < config_.batch && !stop_requested_) {
    auto due = s.claim_due(clock_.wall_ms(), 1);
    if (due.empty()) break;
    handle(due.front());
    ++handled;
  }
  pending_ = s.pending_notifications();
  return handled;
}

void OutboxWorker::handle(const Notification& n) {
  const int attempt = std::max(n.attempts, 1);
  Sink* sink = sink_for(n.channel);
  if (!sink) {
    record_failed(n, attempt, "no_sink", "no sink configured for channel '" + n.channel + "'");
    return;
  }
  const std::int64_t now_ms = clock_.wall_ms();
  // Pages to people are held and bundled; a webhook POST is one incident's
  // JSON for a machine and goes as it is.
  const bool for_people = n.channel != "webhook";
  if (for_people && hold(n, now_ms)) return;
  std::vector<Notification> items{n};
  // Whatever else waits for this recipient on this channel goes in the same message.
  // Those ride along without their own quiet-hours check: the recipient's
  // phone rings for this one anyway.
  if (for_people && config_.throttle.max_bundle > 1) {
    auto more = store().claim_due_for(n.channel, n.recipient, now_ms, config_.throttle.max_bundle - 1);
    for (auto& m : more) items.push_back(std::move(m));
  }
  // Only a message that reached the recipient uses up a slot of the rate limit.
  if (deliver_all(items, *sink) && for_people) limiter_.record(recipient_key(n), now_ms);
}

bool OutboxWorker::hold(const Notification& n, std::int64_t now_ms) {
  const ThrottleConfig& t = config_.throttle;
  if (n.incident_id != 0 && t.quiet.enabled()) {
    QuietHours quiet = t.quiet;
    if (quiet.per_person && !n.person.empty() && person_zone_) {
      std::string zone = person_zone_(n.person);
      if (!zone.empty()) quiet.time_zone = std::move(zone);
    }
    if (auto until = quiet_until(quiet, now_ms)) {
      auto detail = store().incident(n.incident_id);
      if (detail && held_by_quiet_hours(quiet, detail->incident.priority)) {
        store().release(n.id, *until, "held by quiet hours until " + format_rfc3339(*until));
        stats_.counter(held_metric, "Deliveries held back by quiet hours or the per-recipient rate limit",
                       {{"channel", n.channel}, {"reason", "quiet_hours"}})
            .inc();
        return true;
      }
    }
  }
  const std::int64_t slot = limiter_.next_slot(recipient_key(n), now_ms);
  if (slot <= now_ms) return false;
  store().release(n.id, slot, "held by the rate limit until " + format_rfc3339(slot));
  stats_.counter(held_metric, "Deliveries held back by quiet hours or the per-recipient rate limit",
                 {{"channel", n.channel}, {"reason", "rate_limit"}})
      .inc();
  return true;
}

bool OutboxWorker::deliver_all(const std::vector<Notification>& items, Sink& sink) {
  const Notification& first = items.front();
  Notification message = first;
  if (items.size() > 1) {
    BundleText text = render_bundle(items, first.channel);
    message.subject = std::move(text.subject);
    message.body = std::move(text.body);
    message.kind = "bundle";
    message.possible_duplicate = std::any_of(items.begin(), items.end(), [](const auto& n) { return n.possible_duplicate; });
    stats_.counter(bundled_metric, "Notifications delivered inside a bundle with others", {{"channel", first.channel}})
        .inc(items.size());
    outbox_log()->info("bundling notifications for one recipient, channel={} recipient={} count={}", first.channel,
                       for_log(first.recipient), items.size());
  }
  DeliveryResult result;
  try {
    result = sink.deliver(message);
  } catch (const std::exception& e) {
    result = {DeliveryResult::Outcome::retry, std::string("sink error: ") + e.what()};
  }
  for (const auto& n : items) {
    const int attempt = std::max(n.attempts, 1);
    switch (result.outcome) {
      case DeliveryResult::Outcome::delivered:
        record_sent(n, attempt);
        break;
      case DeliveryResult::Outcome::retry:
        record_retry(n, attempt, result.detail);
        break;
      case DeliveryResult::Outcome::rejected:
        record_failed(n, attempt, "rejected", result.detail);
        break;
    }
  }
  return result.outcome == DeliveryResult::Outcome::delivered;
}

void OutboxWorker::record_sent(const Notification& n, int attempt) {
  store().mark_sent(n.id, clock_.wall_ms());
  stats_.counter(sent_metric, "Notifications delivered", {{"channel", n.channel}}).inc();
  outbox_log()->info("notification delivered, incident={} notification={} channel={} recipient={} attempt={}{}",
                     n.incident_id, n.id, n.channel, for_log(n.recipient), attempt,
                     n.possible_duplicate ? " possible_duplicate=yes" : "");
}

void OutboxWorker::record_retry(const Notification& n, int attempt, const std::string& error) {
  const auto delay = retry_delay(config_, attempt);
  store().mark_retry(n.id, clock_.wall_ms() + delay.count(), error);
  stats_.counter(retried_metric, "Notification deliveries that failed and will be retried", {{"channel", n.channel}})
      .inc();
  outbox_log()->warn(
      "notification queued, delivery failed, will retry, incident={} notification={} channel={} recipient={} "
      "attempt={} retry_in_s={} subject=\"{}\" error=\"{}\"",
      n.incident_id, n.id, n.channel, for_log(n.recipient), attempt, delay.count() / 1000, for_log(n.subject),
      for_log(error));
}

void OutboxWorker::record_failed(const Notification& n, int attempt, const std::string& reason,
                                 const std::string& error) {
  store().mark_failed(n.id, error);
  stats_.counter(failed_metric, "Notifications given up", {{"channel", n.channel}, {"reason", reason}}).inc();
  outbox_log()->error(
      "notification failed, not retried, incident={} notification={} channel={} recipient={} attempt={} reason={} "
      "subject=\"{}\" error=\"{}\"",
      n.incident_id, n.id, n.channel, for_log(n.recipient), attempt, reason, for_log(n.subject), for_log(error));
}

}  // namespace tocsin
