// Parse, map, hand over: the data path of every syslog line.
#include "collectors/syslog/decoder.hpp"

#include <array>

namespace tocsin::syslog {

namespace {
constexpr std::array<std::string_view, 8> severity_names{"emerg", "alert", "crit", "err",
                                                         "warning", "notice", "info", "debug"};
// RFC 5424 table 1: 15 is a second clock/cron daemon; 16..23 are local0..local7.
std::string_view facility_name(int f) {
  static constexpr std::array<std::string_view, 24> names{
      "kern",  "user",  "mail",   "daemon", "auth",   "syslog", "news",   "uucp",   "cron",   "authpriv", "ftp",
      "ntp",   "audit", "alert",  "clock",  "cron2",  "local0", "local1", "local2", "local3", "local4",   "local5",
      "local6", "local7"};
  return f >= 0 && f < 24 ? names[static_cast<std::size_t>(f)] : "unknown";
}
}  // namespace

Severity severity_of(int s) {
  if (s <= 2) return Severity::critical;
  if (s == 3) return Severity::major;
  if (s == 4) return Severity::warning;
  return Severity::info;
}

Decoder::Decoder(const DecoderConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock)
    : sink_(sink),
      clock_(clock),
      stats_(stats),
      received_(stats.counter("tocsin_syslog_messages_total", "Syslog messages by outcome", {{"outcome", "received"}})),
      accepted_(stats.counter("tocsin_syslog_messages_total", "", {{"outcome", "accepted"}})),
      unmatched_(stats.counter("tocsin_syslog_unmatched_total", "Accepted messages that no mapping rule matched")),
      discarded_(stats.counter("tocsin_syslog_dropped_total", "Syslog messages dropped on purpose or by overload",
                               {{"reason", "unmatched_discard"}})),
      dropped_queue_(stats.counter("tocsin_syslog_dropped_total", "", {{"reason", "queue_full"}})) {
  for (auto r : all_reject_reasons)
    stats.counter("tocsin_syslog_rejected_total", "Syslog messages rejected by the parser",
                  {{"reason", std::string(to_string(r))}});
  reconfigure(config);
}

void Decoder::reconfigure(const DecoderConfig& config) {
  std::vector<RuleSpec> specs = config.rules;
  if (config.default_rules) {
    auto defaults = default_rules();
    specs.insert(specs.end(), defaults.begin(), defaults.end());
  }
  std::vector<std::string> errors;  // validated at load time; nothing left to report here
  auto compiled = std::make_shared<Compiled>(Compiled{RuleSet::compile(specs, errors), config.unmatched, config.limits});
  std::lock_guard lock(mutex_);
  compiled_ = std::move(compiled);
}

std::shared_ptr<const Decoder::Compiled> Decoder::current() const {
  std::lock_guard lock(mutex_);
  return compiled_;
}

bool Decoder::decode(const FrameView& frame, Event& out) {
  auto compiled = current();
  received_.inc();
  ParseResult parsed = parse(frame.data, compiled->limits);
  if (!parsed.message) {
    stats_.counter("tocsin_syslog_rejected_total", "", {{"reason", std::string(to_string(parsed.reason))}}).inc();
    return false;
  }
  const Message& m = *parsed.message;
  std::string_view host = m.hostname.empty() ? frame.peer : std::string_view(m.hostname);
  Severity severity = severity_of(m.severity);

  tocsin::Fields fields;
  fields.add("host", host);
  fields.add("hostname", m.hostname);
  fields.add("source_address", frame.peer);
  fields.add("app_name", m.app_name);
  fields.add("proc_id", m.proc_id);
  fields.add("msg_id", m.msg_id);
  fields.add("message", m.message);
  fields.add("facility", facility_name(m.facility));
  fields.add("syslog_severity", severity_names[static_cast<std::size_t>(m.severity & 7)]);
  fields.add("severity", to_string(severity));
  for (const auto& [k, v] : m.fields) fields.add(k, v);
  std::vector<std::string> sd_names;
  for (const auto& element : m.structured_data)
    for (const auto& p : element.params) sd_names.push_back(element.id + "." + p.name);
  std::size_t i = 0;
  for (const auto& element : m.structured_data)
    for (const auto& p : element.params) fields.add(sd_names[i++], p.value);

  out.source = "syslog";
  out.source_address = std::string(frame.peer);
  out.received_at_ms = clock_.wall_ms();
  out.raw = std::string(frame.data);
  if (!m.app_name.empty()) out.attributes.emplace_back("app_name", m.app_name);
  out.attributes.emplace_back("facility", std::string(facility_name(m.facility)));
  out.attributes.emplace_back("syslog_severity", std::string(severity_names[static_cast<std::size_t>(m.severity & 7)]));
  for (const auto& [k, v] : m.fields) out.attributes.emplace_back(k, v);

  if (compiled->rules.apply(fields, out)) {
    accepted_.inc();
    return true;
  }
  unmatched_.inc();
  if (compiled->unmatched == Unmatched::discard) {
    discarded_.inc();
    return false;
  }
  out.name = m.app_name.empty() ? "syslog" : m.app_name;
  out.alert_key = out.name;
  out.kind = compiled->unmatched == Unmatched::alert ? EventKind::problem : EventKind::info;
  out.severity = severity;
  out.resource = std::string(host);
  out.summary = m.message;
  accepted_.inc();
  return true;
}

std::vector<Event> Decoder::decode_all(std::span<const FrameView> frames) {
  std::vector<Event> events;
  events.reserve(frames.size());
  for (const auto& f : frames) {
    Event e;
    if (decode(f, e)) events.push_back(std::move(e));
  }
  return events;
}

void Decoder::offer(std::span<const FrameView> frames) {
  auto events = decode_all(frames);
  std::size_t total = events.size();
  std::size_t taken = sink_.offer(events);
  if (taken < total) dropped_queue_.inc(total - taken);
}

void Decoder::submit(std::span<const FrameView> frames, std::function<void()> durable) {
  auto events = decode_all(frames);
  if (events.empty()) {
    durable();
    return;
  }
  sink_.submit(std::move(events), std::move(durable));
}

}  // namespace tocsin::syslog
