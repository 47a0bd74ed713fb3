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
    rejected_[static_cast<std::size_t>(r)] = &stats.counter(
        "tocsin_syslog_rejected_total", "Syslog messages rejected by the parser", {{"reason", std::string(to_string(r))}});
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

namespace {
// What decoding a line needs besides its Event, kept per thread (the UDP
// listener and the TCP connections run on the io_context's threads) so that
// its buffers are reused from one line to the next.
struct Scratch {
  MessageView message;
  tocsin::Fields fields;
  std::string sd_names;  // "id.name" of each SD-PARAM, one after the other
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}
}  // namespace

bool Decoder::decode(const FrameView& frame, Event& out) { return decode(*current(), frame, clock_.wall_ms(), out); }

bool Decoder::decode(const Compiled& compiled, const FrameView& frame, std::int64_t received_at_ms, Event& out) {
  received_.inc();
  Scratch& s = scratch();
  if (auto reason = parse(frame.data, compiled.limits, s.message)) {
    rejected_[static_cast<std::size_t>(*reason)]->inc();
    return false;
  }
  const MessageView& m = s.message;
  std::string_view host = m.hostname.empty() ? frame.peer : m.hostname;
  Severity severity = severity_of(m.severity);
  const std::string_view facility = facility_name(m.facility);
  const std::string_view syslog_severity = severity_names[static_cast<std::size_t>(m.severity & 7)];

  tocsin::Fields& fields = s.fields;
  fields.clear();
  fields.add("host", host);
  fields.add("hostname", m.hostname);
  fields.add("source_address", frame.peer);
  fields.add("app_name", m.app_name);
  fields.add("proc_id", m.proc_id);
  fields.add("msg_id", m.msg_id);
  fields.add("message", m.message);
  fields.add("facility", facility);
  fields.add("syslog_severity", syslog_severity);
  fields.add("severity", to_string(severity));
  for (const auto& [k, v] : m.fields) fields.add(k, v);
  std::size_t names_size = 0;
  for (const auto& element : m.structured_data)
    for (const auto& p : m.params(element)) names_size += element.id.size() + 1 + p.name.size();
  s.sd_names.clear();
  s.sd_names.reserve(names_size);  // no reallocation below: the views into it stay valid
  for (const auto& element : m.structured_data) {
    for (const auto& p : m.params(element)) {
      const std::size_t start = s.sd_names.size();
      s.sd_names.append(element.id).append(".").append(p.name);
      fields.add(std::string_view(s.sd_names).substr(start), p.value);
    }
  }

  out.source = "syslog";
  out.source_address = frame.peer;
  out.received_at_ms = received_at_ms;
  out.raw = frame.data;
  out.attributes.reserve(3 + m.fields.size() + compiled.rules.max_attributes_added());
  if (!m.app_name.empty()) out.attributes.emplace_back("app_name", m.app_name);
  out.attributes.emplace_back("facility", facility);
  out.attributes.emplace_back("syslog_severity", syslog_severity);
  for (const auto& [k, v] : m.fields) out.attributes.emplace_back(k, v);

  if (compiled.rules.apply(fields, out)) {
    accepted_.inc();
    return true;
  }
  unmatched_.inc();
  if (compiled.unmatched == Unmatched::discard) {
    discarded_.inc();
    return false;
  }
  out.name = m.app_name.empty() ? std::string_view("syslog") : m.app_name;
  out.alert_key = out.name;
  out.kind = compiled.unmatched == Unmatched::alert ? EventKind::problem : EventKind::info;
  out.severity = severity;
  out.resource = host;
  out.summary = m.message;
  accepted_.inc();
  return true;
}

// One configuration and one receive time for the frames of one read.
std::vector<Event> Decoder::decode_all(std::span<const FrameView> frames) {
  const auto compiled = current();
  const std::int64_t now = clock_.wall_ms();
  std::vector<Event> events;
  events.reserve(frames.size());
  for (const auto& f : frames)
    if (!decode(*compiled, f, now, events.emplace_back())) events.pop_back();
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
