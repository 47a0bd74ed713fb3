// Parse, map, hand over, acknowledge: the data path of every alert mail.
#include "collectors/email/decoder.hpp"

#include "collectors/email/metrics.hpp"
#include "collectors/email/mime.hpp"
#include "collectors/email/reply.hpp"

#include <spdlog/spdlog.h>

namespace tocsin::email_in {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::shared_ptr<spdlog::logger> reply_log() {
  auto log = spdlog::get("email");
  return log ? log : spdlog::default_logger();
}

Reply mime_refusal(MimeProblem p) {
  switch (p) {
    case MimeProblem::too_deep:
      return {554, "5.6.0 MIME structure nested too deeply"};
    case MimeProblem::too_many_parts:
      return {554, "5.6.0 Too many MIME parts"};
    default:
      return {554, "5.6.0 Message is not valid MIME"};
  }
}

}  // namespace

Decoder::Decoder(const DecoderConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock,
                 ActionSink* actions)
    : sink_(sink), actions_(actions), stats_(stats), clock_(clock) {
  register_email_metrics(stats);
  reconfigure(config);
}

void Decoder::reconfigure(const DecoderConfig& config) {
  std::vector<RuleSpec> specs = config.rules;
  if (config.default_rules) {
    auto defaults = default_rules();
    specs.insert(specs.end(), defaults.begin(), defaults.end());
  }
  std::vector<std::string> errors;  // validated at load time; nothing left to report here
  auto compiled = std::make_shared<Compiled>(Compiled{RuleSet::compile(specs, errors), config});
  std::lock_guard lock(mutex_);
  compiled_ = std::move(compiled);
}

void Decoder::set_directory(std::shared_ptr<const oncall::Directory> directory) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(directory);
}

std::shared_ptr<const Decoder::Compiled> Decoder::current() const {
  std::lock_guard lock(mutex_);
  return compiled_;
}

std::optional<Reply> Decoder::parse(const Compiled& compiled, const std::string& message, MailParse& parsed) const {
  messages_total(stats_, "received").inc();
  parsed = parse_mail(message, compiled.config.mime);
  if (parsed.problem == MimeProblem::none) return std::nullopt;
  rejected_total(stats_, to_string(parsed.problem)).inc();
  return mime_refusal(parsed.problem);
}

std::optional<Reply> Decoder::decode(const Envelope& envelope, std::string_view peer, std::string message,
                                     Event& out) {
  auto compiled = current();
  MailParse parsed;
  if (auto refusal = parse(*compiled, message, parsed)) return refusal;
  to_event(*compiled, envelope, peer, parsed.mail, std::move(message), out);
  return std::nullopt;
}

void Decoder::to_event(const Compiled& compiled, const Envelope& envelope, std::string_view peer, const Mail& m,
                       std::string message, Event& out) const {
  std::string recipients = join(envelope.recipients);
  tocsin::Fields fields;
  fields.add("from", m.from);
  fields.add("from_name", m.from_name);
  fields.add("to", m.to);
  fields.add("subject", m.subject);
  fields.add("body", m.body);
  fields.add("message_id", m.message_id);
  fields.add("envelope_from", envelope.mail_from);
  fields.add("envelope_to", recipients);
  fields.add("source_address", peer);

  out.source = "email";
  out.source_address = std::string(peer);
  out.received_at_ms = clock_.wall_ms();
  out.attributes.emplace_back("from", m.from);
  out.attributes.emplace_back("subject", m.subject);
  if (!m.message_id.empty()) out.attributes.emplace_back("message_id", m.message_id);
  if (compiled.rules.apply(fields, out)) {
    if (out.summary.empty()) out.summary = m.subject;
  } else {
    unmatched_total(stats_).inc();
    map_unmatched(compiled, out);
  }
  out.raw = std::move(message);
  messages_total(stats_, "accepted").inc();
}

bool Decoder::handle_reply(const Compiled& compiled, const Envelope& envelope, const Mail& mail,
                           std::function<void(Reply)>& done) {
  std::shared_ptr<const oncall::Directory> directory;
  {
    std::lock_guard lock(mutex_);
    directory = directory_;
  }
  ReplyRoute route;
  if (directory) {
    ReplySettings replies = compiled.config.replies;
    replies.directory = std::move(directory);
    route = route_reply(mail, envelope.mail_from, replies);
  } else {
    route = route_reply(mail, envelope.mail_from, compiled.config.replies);
  }
  switch (route.kind) {
    case ReplyRoute::Kind::not_a_reply:
      return false;
    case ReplyRoute::Kind::answer:
      replies_total(stats_, route.result).inc();
      reply_log()->info("reply to a page not acted on result={} from={} envelope_from={} code={}", route.result,
                        mail.from, envelope.mail_from, route.smtp.code);
      done(std::move(route.smtp));
      return true;
    case ReplyRoute::Kind::act:
      break;
  }
  IncidentAction action = route.action;
  actions_->act(std::move(route.action), [&stats = stats_, action = std::move(action),
                                          done = std::move(done)](ActionResult result) {
    auto [reply, label] = answer_action(action, result);
    replies_total(stats, label).inc();
    reply_log()->info("reply to a page result={} incident={} person={} action={} code={}", label, action.incident_id,
                      action.actor, to_string(action.kind), reply.code);
    done(std::move(reply));
  });
  return true;
}

// A person reporting a fault by plain e-mail: one alert per sender and
// subject, owned by the service desk until the correlator assigns groups.
void Decoder::map_unmatched(const Compiled& compiled, Event& out) const {
  const std::string* subject = out.attribute("subject");
  const std::string* from = out.attribute("from");
  out.rule.clear();
  out.name = "email_report";
  out.alert_key = out.name;
  out.kind = EventKind::problem;
  out.severity = parse_severity(compiled.config.default_severity).value_or(Severity::warning);
  out.resource = from && !from->empty() ? *from : out.source_address;
  out.summary = subject && !subject->empty() ? *subject : "(no subject)";
  out.fingerprint_keys = {"subject"};
  out.attributes.emplace_back("group", compiled.config.default_group);
}

void Decoder::submit(const Envelope& envelope, std::string_view peer, std::string message,
                     std::function<void(Reply)> done) {
  auto compiled = current();
  MailParse parsed;
  if (auto refusal = parse(*compiled, message, parsed)) {
    done(std::move(*refusal));
    return;
  }
  if (actions_ != nullptr && handle_reply(*compiled, envelope, parsed.mail, done)) return;
  Event event;
  to_event(*compiled, envelope, peer, parsed.mail, std::move(message), event);
  std::vector<Event> events;
  events.push_back(std::move(event));
  sink_.submit(std::move(events), [done = std::move(done)] { done({250, "2.0.0 Message accepted"}); });
}

}  // namespace tocsin::email_in
