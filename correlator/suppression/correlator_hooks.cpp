// How the Correlator applies maintenance windows and silences: an alert that
// starts firing while suppressed is kept (state `suppressed`, what suppresses
// it recorded) but opens no incident and pages nobody; when its suppression
// ends while it still fires, it is placed like a new alert then (incident,
// symptom or group) and pages as usual; a clear meanwhile resolves it quietly.
// Requests from the API (add, expire, remove, list) are answered here too.
#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {

namespace {

// Expired silences are listed for a week, then kept only in the store.
constexpr std::int64_t silence_history_ms = 7 * suppression::day_ms;
// Silences not yet expired, at most.
constexpr std::size_t max_live_silences = 10'000;
constexpr std::size_t max_api_windows = 10'000;

std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::int64_t v = std::stoll(s);
  return v > 0 ? std::optional(v) : std::nullopt;
}

suppression::Result refused(int status, std::string error, std::string field = {}) {
  suppression::Result r;
  r.status = status;
  r.error = std::move(error);
  r.field = std::move(field);
  return r;
}

}  // namespace

void Correlator::suppression_init(StatsRegistry& stats) {
  const std::string help = "Alerts that started firing while a maintenance window or a silence was in force";
  suppression_counters_.by_maintenance = &stats.counter("tocsin_alerts_suppressed_total", help, {{"by", "maintenance"}});
  suppression_counters_.by_silence = &stats.counter("tocsin_alerts_suppressed_total", help, {{"by", "silence"}});
  suppression_counters_.ended = &stats.counter(
      "tocsin_alerts_suppression_ended_total",
      "Suppressed alerts still firing when their suppression ended (placed then: incident, symptom or group)");
  suppression_counters_.cleared = &stats.counter("tocsin_alerts_suppressed_cleared_total",
                                                 "Suppressed alerts that cleared while suppressed (resolved quietly)");
  suppression_configure();
}

void Correlator::suppression_configure() {
  suppressions_.set_cmdb(config_.cmdb);
  suppressions_.set_config_windows(config_.maintenance);
}

void Correlator::restore_suppression(std::vector<suppression::Silence> silences,
                                     std::vector<suppression::MaintenanceWindow> windows) {
  for (auto& s : silences) {
    // Stored silences were valid when added; one that no longer compiles
    // (a newer RE2 refusing a pattern) is left out rather than matching wrongly.
    if (suppression::compile(s)) continue;
    ids_.silence = std::max(ids_.silence, s.id);
    suppressions_.add_silence(std::move(s));
  }
  for (auto& w : windows) {
    w.from_config = false;
    suppressions_.add_window(std::move(w));
  }
}

void Correlator::suppression_restore() {
  suppressed_.clear();
  for (const auto& [key, alert] : firing_)
    if (alert->state == AlertState::suppressed) suppressed_.insert(alert->fingerprint.str());
}

bool Correlator::suppress_on_open(Alert& alert, std::int64_t now_ms) {
  std::string by = suppressions_.check(alert, now_ms);
  if (by.empty()) return false;
  alert.state = AlertState::suppressed;
  (by.starts_with("maintenance:") ? suppression_counters_.by_maintenance : suppression_counters_.by_silence)->inc();
  alert.suppressed_by = std::move(by);
  suppressed_.insert(alert.fingerprint.str());
  dirty_alerts_.insert(&alert);
  return true;
}

void Correlator::suppressed_alert_cleared(Alert& alert) {
  suppressed_.erase(alert.fingerprint.str());
  suppression_counters_.cleared->inc();
}

void Correlator::suppression_tick(std::int64_t now_ms, ChangeSet& changes) {
  suppressions_.forget_expired(now_ms - silence_history_ms);
  if (suppressed_.empty()) return;
  std::vector<std::string> ended;
  for (const auto& fp : suppressed_) {
    auto it = firing_.find(firing_key(fp));
    if (it == firing_.end()) {
      ended.push_back(fp);
      continue;
    }
    Alert& alert = *it->second;
    std::string by = suppressions_.check(alert, now_ms);
    if (by.empty()) {
      ended.push_back(fp);
    } else if (by != alert.suppressed_by) {
      // Another window or silence still covers it.
      alert.suppressed_by = std::move(by);
      dirty_alerts_.insert(&alert);
    }
  }
  // Oldest first, so that incidents open in the order the alerts fired.
  std::vector<FiringAlert*> release;
  for (const auto& fp : ended) {
    suppressed_.erase(fp);
    if (auto it = firing_.find(firing_key(fp)); it != firing_.end()) release.push_back(it->second.get());
  }
  std::sort(release.begin(), release.end(), [](const Alert* a, const Alert* b) { return a->id < b->id; });
  for (FiringAlert* a : release) end_suppression(*a, now_ms, changes);
}

// The alert is placed as if it had just started firing: it opens an incident
// (and pages), joins an upstream CI's incident as a symptom, or joins an
// incident on its grouping key.
void Correlator::end_suppression(FiringAlert& alert, std::int64_t now_ms, ChangeSet& changes) {
  std::string was = alert.suppressed_by.str();
  alert.state = AlertState::firing;
  alert.suppressed_by.clear();
  dirty_alerts_.insert(&alert);
  suppression_counters_.ended->inc();
  Event event;
  event.kind = EventKind::problem;
  event.source = alert.source;
  event.name = alert.name;
  event.alert_key = alert.name;
  event.severity = alert.severity;
  event.resource = alert.resource;
  event.summary = alert.summary;
  for (const auto& [name, value] : alert.attributes) event.attributes.emplace_back(name.str(), value.str());
  event.received_at_ms = now_ms;
  Enrichment e = enrich(config_.cmdb.get(), alert.resource);
  place_alert(alert, e, event, now_ms, changes);
  // The events folded while it was suppressed count on the incident it opened
  // (joining one adds them already).
  if (auto it = incidents_.find(alert.incident_id); it != incidents_.end() && it->second.root_alert_id == alert.id)
    it->second.event_count = alert.count;
  if (alert.incident_id != 0)
    changes.timeline.push_back({0, alert.incident_id, now_ms, "tocsin", "suppression ended",
                                alert.name + " on " + (alert.cmdb.name().empty() ? alert.resource : alert.cmdb.name()) +
                                    " was suppressed by " + was + " since " + format_rfc3339(alert.first_seen_ms) +
                                    " and still fires (" + std::to_string(alert.count) + " event(s))"});
}

suppression::Result Correlator::on_suppression(const suppression::Request& request, std::int64_t now_ms,
                                               ChangeSet& changes) {
  using suppression::RequestKind;
  suppression::Result result;
  switch (request.kind) {
    case RequestKind::list_silences:
      result.silences = suppressions_.silences();
      std::sort(result.silences.begin(), result.silences.end(),
                [](const auto& a, const auto& b) { return a.id > b.id; });
      break;
    case RequestKind::add_silence: {
      suppression::Silence s = request.silence;
      if (s.start_ms == 0) s.start_ms = now_ms;
      if (request.duration_ms > 0) s.end_ms = s.start_ms + request.duration_ms;
      if (auto p = suppression::compile(s)) return refused(400, p->message, p->field);
      if (auto p = suppression::validate_new(s, now_ms)) return refused(400, p->message, p->field);
      std::size_t live = std::count_if(suppressions_.silences().begin(), suppressions_.silences().end(),
                                       [&](const auto& o) { return o.end_ms > now_ms; });
      if (live >= max_live_silences)
        return refused(409, "too many silences in force (" + std::to_string(live) + "); expire some first");
      s.id = ++ids_.silence;
      s.author = request.actor;
      s.created_at_ms = now_ms;
      changes.silences.push_back(s);
      result.silences.push_back(s);
      suppressions_.add_silence(std::move(s));
      result.status = 201;
      break;
    }
    case RequestKind::expire_silence: {
      auto id = parse_id(request.id);
      suppression::Silence* s = id ? suppressions_.find_silence(*id) : nullptr;
      if (!s) return refused(404, "silence " + request.id + " does not exist or expired more than a week ago");
      if (s->end_ms <= now_ms) return refused(409, "silence " + request.id + " has already expired");
      s->end_ms = now_ms;
      s->start_ms = std::min(s->start_ms, now_ms);
      changes.silences.push_back(*s);
      result.silences.push_back(*s);
      suppression_tick(now_ms, changes);
      break;
    }
    case RequestKind::list_maintenance:
      result.windows = suppressions_.windows();
      break;
    case RequestKind::add_maintenance: {
      suppression::MaintenanceWindow w = request.window;
      if (auto p = suppression::validate(w)) return refused(400, p->message, p->field);
      std::size_t api = std::count_if(suppressions_.windows().begin(), suppressions_.windows().end(),
                                      [](const auto& o) { return !o.from_config; });
      if (api >= max_api_windows) return refused(409, "too many maintenance windows; remove some first");
      w.id = std::to_string(++ids_.maintenance);
      w.from_config = false;
      w.author = request.actor;
      w.created_at_ms = now_ms;
      changes.maintenance.push_back(w);
      result.windows.push_back(w);
      suppressions_.add_window(std::move(w));
      result.status = 201;
      break;
    }
    case RequestKind::remove_maintenance: {
      const suppression::MaintenanceWindow* w = suppressions_.find_window(request.id);
      if (!w) return refused(404, "maintenance window " + request.id + " does not exist");
      if (w->from_config)
        return refused(409, "maintenance window " + request.id +
                                " is defined in the configuration file; remove it there and reload");
      result.windows.push_back(*w);
      suppressions_.remove_window(request.id);
      changes.removed_maintenance.emplace_back(request.id, now_ms);
      suppression_tick(now_ms, changes);
      break;
    }
  }
  result.now_ms = now_ms;
  return result;
}

}  // namespace tocsin
