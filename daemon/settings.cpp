// Schema tables of every section and the loader that builds Settings from them.
#include "daemon/settings.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "collectors/email/schema.hpp"
#include "collectors/mqtt/schema.hpp"
#include "collectors/snmp/schema.hpp"
#include "correlator/mapping_config.hpp"
#include "daemon/engine_settings.hpp"
#include "daemon/sms_settings.hpp"
#include "daemon/oncall_settings.hpp"
#include "daemon/sla_settings.hpp"
#include "daemon/throttle_settings.hpp"
#include "daemon/suppression_settings.hpp"
#include "correlator/rules/rules_schema.hpp"

namespace tocsin {

using config::Key;
using config::Section;
using config::Type;

namespace {

const Section& root_section() {
  static const Section s{
      "(top level)",
      "The configuration file. Relative paths are relative to the directory tocsind runs in.",
      {
          {"log", Type::map, "", "Logging."},
          {"store", Type::map, "", "Where events, alerts, incidents and the outbox are kept."},
          {"pipeline", Type::map, "", "The queue between collectors and the correlator."},
          {"api", Type::map, "", "HTTP API, metrics and health endpoints."},
          {"syslog", Type::map, "", "The syslog collector."},
          {"http", Type::map, "", "The HTTP webhook collector: generic JSON events and Alertmanager."},
          {"mqtt", Type::map, "", "The MQTT collector: subscriptions to brokers."},
          {"snmp", Type::map, "", "The SNMP collector: traps and informs, v1, v2c and v3."},
          {"email_in", Type::map, "", "The e-mail collector: alert mail in over SMTP."},
          {"correlation", Type::map, "", "Deduplication and incidents."},
          {"cmdb", Type::map, "", "The CMDB files events are enriched with."},
          {"priority", Type::map, "", "Priority matrix: impact × urgency."},
          {"assignment", Type::map, "", "Assignment rules overriding the CI's owner group."},
          {"oncall", Type::map, "", "Users, groups and on-call rosters."},
          {"heartbeats", Type::list, "", "Sources expected to report regularly (see heartbeats[])."},
          {"maintenance", Type::list, "", "Maintenance windows that suppress alerts on CIs (see maintenance[])."},
          {"notifications", Type::map, "", "Pages: the outbox and its channels."},
          {"sla", Type::map, "", "SLA targets and business-hours calendars."},
          {"escalation", Type::map, "", "Escalation policies per owner group."},
      }};
  return s;
}

const Section& log_section() {
  static const Section s{"log", "Logging to standard error (the journal under systemd).",
                         {{"level", Type::choice, "info", "Least severe level written.",
                           {"trace", "debug", "info", "warn", "error"}}}};
  return s;
}

const Section& store_section() {
  static const Section s{
      "store",
      "The durable store. `sqlite` is embedded and needs no service.",
      {{"backend", Type::choice, "sqlite", "Store implementation.", {"sqlite"}},
       {"path", Type::path, "./var/tocsin.db", "SQLite database file; its directory is created if missing. The event journal is kept beside it, in the directory `<path>-events`."},
       {"repeat_flush_ms", Type::integer, "1000",
        "Under load (256 events or more in one commit, or in the commits of about the last 100 ms), how long the repeat counters of alerts and incidents "
        "(count, last seen, event count) may wait, journaled, before they reach the rows the API reads; 0 "
        "writes them with every commit."},
       {"cache_size", Type::size, "8MiB",
        "SQLite page cache of each connection (the pipeline's writer, the API, the outbox). The operating "
        "system caches the file as well; a larger cache holds more of a large database in the process."}}};
  return s;
}

const Section& pipeline_section() {
  static const Section s{
      "pipeline",
      "Bounded queue in front of the correlator. Acknowledged inputs (TCP, HTTP, SMTP, MQTT) push back when it "
      "is busy; UDP inputs drop and count beyond `queue_capacity`.",
      {{"queue_capacity", Type::integer, "65536", "Events that may wait for the correlator."},
       {"batch_max", Type::integer, "16384", "Most events committed in one transaction (group commit)."}}};
  return s;
}

const Section& api_section() {
  static const Section s{
      "api",
      "HTTP API (/api/v1), /metrics, /healthz and /readyz.",
      {{"listen", Type::address, "127.0.0.1:8080", "Address and port to listen on."},
       {"max_body", Type::size, "1MiB", "Largest request body accepted (413 beyond)."},
       {"read_timeout", Type::duration, "30s", "Time allowed to send a whole request."},
       {"max_connections", Type::integer, "512", "Open connections at most; more are refused."},
       {"tokens", Type::list, "", "Bearer tokens. Each needs `name`, `role` and `token` or `token_file`."}}};
  return s;
}

const Section& token_section() {
  static const Section s{
      "api.tokens[]",
      "One bearer token.",
      {{"name", Type::string, "", "Who uses the token; recorded as the actor of its actions.", {}, true},
       {"role", Type::choice, "viewer", "viewer reads; operator also acts on incidents; admin may do everything.",
        {"viewer", "operator", "admin"}},
       {"token", Type::string, "", "The secret itself, in plain sight (examples and tests only)."},
       {"token_file", Type::file, "", "File holding the secret (first line); use this in production."}}};
  return s;
}

const Section& syslog_section() {
  static const Section s{
      "syslog",
      "The syslog collector: RFC 5424 and RFC 3164 over UDP, TCP (RFC 6587) and TLS (RFC 5425).",
      {{"udp", Type::list, "", "UDP listeners."},
       {"tcp", Type::list, "", "TCP and TLS listeners."},
       {"rules", Type::list, "", "Mapping rules, tried before the built-in ones (see <collector>.rules[])."},
       {"default_rules", Type::boolean, "true", "Also apply the built-in interface up/down rules."},
       {"unmatched", Type::choice, "record",
        "What becomes of a message no rule matches: record it as an info event, raise an alert, or discard it "
        "(counted).",
        {"record", "alert", "discard"}},
       {"max_message", Type::size, "64KiB", "Longest message accepted; longer ones are rejected and counted."}}};
  return s;
}

const Section& syslog_udp_section() {
  static const Section s{
      "syslog.udp[]",
      "One UDP listener.",
      {{"listen", Type::address, "", "Address and port, e.g. 127.0.0.1:5514 or [::1]:514.", {}, true},
       {"receive_buffer", Type::size, "8MiB", "Socket receive buffer (SO_RCVBUF); larger absorbs bursts."},
       {"max_datagram", Type::size, "64KiB", "Largest datagram read; longer ones are counted as too_long."}}};
  return s;
}

const Section& syslog_tcp_section() {
  static const Section s{
      "syslog.tcp[]",
      "One TCP listener; with `tls: true` it speaks TLS (RFC 5425).",
      {{"listen", Type::address, "", "Address and port, e.g. 127.0.0.1:5514 or 0.0.0.0:6514.", {}, true},
       {"max_frame", Type::size, "64KiB", "Longest frame; longer LF-framed lines are cut and counted."},
       {"max_connections", Type::integer, "1000", "Open connections at most; more are closed and counted."},
       {"idle_timeout", Type::duration, "5m", "A connection silent this long is closed."},
       {"tls", Type::boolean, "false", "Require TLS on this listener."},
       {"certificate", Type::file, "", "PEM certificate chain (required with tls)."},
       {"key", Type::file, "", "PEM private key (required with tls)."},
       {"handshake_timeout", Type::duration, "10s", "Time allowed for the TLS handshake."}}};
  return s;
}

const Section& http_section() {
  static const Section s{
      "http",
      "The HTTP webhook collector: POST /api/v1/events (generic JSON) and POST "
      "/api/v1/integrations/alertmanager on the API's address, with an operator token. Bodies are bounded by "
      "`api.max_body`; the limits below refuse a body with 400 naming the field.",
      {{"enabled", Type::boolean, "true", "Accept events over HTTP (404 when false)."},
       {"max_events", Type::integer, "1000", "Events in one batch, alerts in one Alertmanager notification."},
       {"max_attributes", Type::integer, "64", "Attributes (or labels plus annotations) of one event."},
       {"max_name", Type::size, "256B", "Longest name, resource, clears, attribute or label name."},
       {"max_value", Type::size, "4KiB", "Longest summary, attribute value or any other string."},
       {"max_fingerprint", Type::integer, "16", "Attribute names in one event's fingerprint."},
       {"alertmanager", Type::map, "", "How Alertmanager alerts become events."}}};
  return s;
}

const Section& http_alertmanager_section() {
  static const Section s{
      "http.alertmanager",
      "Alertmanager webhook (version 4): name = label alertname, resolved alerts clear the firing ones "
      "(same Alertmanager fingerprint).",
      {{"resource_labels", Type::string_list, "[instance, job]", "The first of these labels that is set names the resource."},
       {"fallback_resource", Type::string, "alertmanager", "Resource of alerts without any of resource_labels."},
       {"severity_map", Type::map, "",
        "Value of the severity label → Tocsin severity, on top of the built-in critical→critical, "
        "error/major→major, minor→minor, warning→warning, info/none→info; case is ignored."},
       {"default_severity", Type::choice, "warning", "Severity of alerts whose severity label is absent or not mapped.",
        {"critical", "major", "minor", "warning", "info"}}}};
  return s;
}

const Section& correlation_section() {
  static const Section s{"correlation",
                         "Deduplication by fingerprint, clear pairing and incidents.",
                         {{"default_group", Type::string, "noc", "Group that owns incidents of unknown resources."},
                          {"grouping_keys", Type::string_list, "[ci]",
                           "Alerts with equal values of these fields join one incident within grouping_window: ci, "
                           "resource, name, service, location, attr.<name>. Resources without a CI are not grouped "
                           "by ci."},
                          {"grouping_window", Type::duration, "5m",
                           "How long after an incident opens alerts with its grouping key join it; 0 = never."},
                          {"topology", Type::boolean, "true",
                           "Alerts on CIs whose upstream CI (depends_on, transitively) has an open incident join it "
                           "as symptoms and page nobody."},
                          {"hold_window", Type::duration, "30s",
                           "A new incident on a CI with upstream dependencies holds its page this long; a root "
                           "cause on an upstream CI arriving meanwhile adopts it (merged, page cancelled)."},
                          {"auto_resolve_hold", Type::duration, "0s",
                           "An incident whose root alerts all cleared resolves after this long without them "
                           "firing again; 0 = at once."},
                          {"auto_close_after", Type::duration, "0s",
                           "A resolved incident closes by itself this long after it was resolved (timeline actor "
                           "`tocsin`), unless it was reopened; 0 = never. Overdue ones close at the first tick "
                           "after a restart."},
                          {"recurrence_window", Type::duration, "30d",
                           "Each new incident records how many incidents its CI had within this window before it "
                           "(`recurrence_count`); 0 = not counted. GET /api/v1/problems takes its own window."},
                          {"recurrence_note_at", Type::integer, "3",
                           "A new incident whose CI had at least this many incidents within recurrence_window gets "
                           "a `recurring` timeline note (problem candidate); 0 = never."},
                          {"flapping", Type::map, "", "Flap detection (see correlation.flapping)."}}};
  return s;
}

const Section& notifications_section() {
  static const Section s{
      "notifications",
      "Pages. Every notification is committed to the outbox with the incident change that caused it and "
      "delivered by a worker that retries with capped backoff.",
      {{"console_url", Type::string, "http://127.0.0.1:8080", "Base URL of links in pages."},
       {"sms", Type::map, "", "SMS pages through an HTTP gateway (Kannel's sendsms by default)."},
       {"initial_backoff", Type::duration, "5s", "Delay after the first failed delivery; doubles each time."},
       {"max_backoff", Type::duration, "5m", "Longest delay between retries; delivery is retried forever."},
       {"poll_interval", Type::duration, "1s", "How often the outbox is looked at when nothing wakes it."},
       {"reply_secret", Type::string, "",
        "Secret that signs the reply token [TOC-<id>-<hmac>] in e-mail subjects, in plain sight (examples and "
        "tests only); empty: no token, and mail to email_in is never taken for a reply."},
       {"reply_secret_file", Type::file, "",
        "File holding the reply secret (first line); use this in production. Replies to pages then acknowledge, "
        "resolve or comment on the incident (collectors/email/README.md)."},
       {"reply_to", Type::string, "", "Reply-To address of e-mail pages (the SMTP-in address); empty: none."},
       {"max_bundle", Type::integer, "50",
        "Most notifications one message carries when several wait for the same recipient and channel; 1 = "
        "never bundle."},
       {"rate_limit", Type::map, "", "Per-recipient rate limit (see notifications.rate_limit)."},
       {"quiet_hours", Type::map, "", "Quiet hours for low priorities (see notifications.quiet_hours)."},
       {"email", Type::map, "", "E-mail pages over SMTP."},
       {"webhook", Type::map, "", "Incident changes POSTed as JSON to allowed URLs."}}};
  return s;
}

const Section& email_section() {
  static const Section s{
      "notifications.email",
      "E-mail pages. While no server answers, pages wait in the outbox and the log says so.",
      {{"enabled", Type::boolean, "false", "Send e-mail pages."},
       {"server", Type::string, "127.0.0.1:2526", "SMTP server host:port."},
       {"tls", Type::choice, "none",
        "none; starttls when offered; required_starttls; implicit (TLS from the first byte, port 465).",
        {"none", "starttls", "required_starttls", "implicit"}},
       {"username", Type::string, "", "SMTP AUTH user; no AUTH when empty."},
       {"password", Type::string, "", "SMTP AUTH password in plain sight (tests only)."},
       {"password_file", Type::file, "", "File holding the SMTP AUTH password (first line)."},
       {"auth", Type::choice, "plain", "SASL mechanism.", {"plain", "login"}},
       {"ca_file", Type::file, "", "CA certificate(s) to verify the server; empty = system store."},
       {"from", Type::string, "tocsin@localhost", "Envelope sender and From header."},
       {"helo_name", Type::string, "", "Name given in EHLO; empty = this host's name."},
       {"timeout", Type::duration, "30s", "Bound on one delivery."},
       {"recipients", Type::string_list, "", "Addresses paged when an incident opens."}}};
  return s;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

void load_api(const config::Node& root, Settings& s) {
  auto n = root.map("api", api_section());
  if (auto e = n.address("listen")) {
    s.api.address = e->host;
    s.api.port = e->port;
  }
  s.api.max_body = n.size("max_body");
  s.api.read_timeout = std::chrono::duration_cast<std::chrono::seconds>(n.duration("read_timeout"));
  s.api.max_connections = static_cast<int>(n.integer("max_connections", 1, 1'000'000));
  for (const auto& t : n.list("tokens", token_section())) {
    api::ApiToken token;
    token.name = t.string("name");
    token.role = api::parse_role(t.choice("role")).value_or(api::Role::viewer);
    token.token = t.string("token");
    if (std::string file = t.file("token_file"); !file.empty()) token.token = first_line(file);
    if (token.token.empty()) t.error("a token needs `token` or `token_file`");
    s.api.tokens.push_back(std::move(token));
  }
}

void load_syslog(const config::Node& root, Settings& s) {
  auto n = root.map("syslog", syslog_section());
  for (const auto& u : n.list("udp", syslog_udp_section())) {
    syslog::UdpListenerConfig c;
    if (auto e = u.address("listen")) {
      c.address = e->host;
      c.port = e->port;
    }
    c.receive_buffer_bytes = static_cast<int>(std::min<std::uint64_t>(u.size("receive_buffer"), 1U << 30));
    c.max_datagram = u.size("max_datagram");
    s.syslog_udp.push_back(c);
  }
  for (const auto& t : n.list("tcp", syslog_tcp_section())) {
    syslog::TcpListenerConfig c;
    if (auto e = t.address("listen")) {
      c.address = e->host;
      c.port = e->port;
    }
    c.max_frame = t.size("max_frame");
    c.max_connections = static_cast<int>(t.integer("max_connections", 1, 1'000'000));
    c.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(t.duration("idle_timeout"));
    c.tls = t.boolean("tls");
    c.certificate_file = t.file("certificate");
    c.key_file = t.file("key");
    c.handshake_timeout = std::chrono::duration_cast<std::chrono::seconds>(t.duration("handshake_timeout"));
    if (c.tls && (c.certificate_file.empty() || c.key_file.empty()))
      t.error("tls: true needs `certificate` and `key`");
    s.syslog_tcp.push_back(c);
  }
  s.syslog.rules = parse_rules(n, "rules");
  s.syslog.default_rules = n.boolean("default_rules");
  std::string unmatched = n.choice("unmatched");
  s.syslog.unmatched = unmatched == "alert"     ? syslog::Unmatched::alert
                       : unmatched == "discard" ? syslog::Unmatched::discard
                                                : syslog::Unmatched::record;
  s.syslog.limits.max_message = n.size("max_message");
}

void load_severity_map(const config::Node& n, http_ingest::AlertmanagerConfig& am) {
  YAML::Node map = n.raw("severity_map");
  if (!map) return;
  if (!map.IsMap()) {
    n.error("severity_map", "expected a map from label value to severity, e.g. {page: critical}");
    return;
  }
  for (const auto& item : map) {
    auto severity = item.second.IsScalar() ? parse_severity(item.second.Scalar()) : std::nullopt;
    if (!item.first.IsScalar() || !severity || *severity == Severity::clear) {
      n.error("severity_map", "each value must be one of critical, major, minor, warning, info");
      continue;
    }
    std::erase_if(am.severity_map, [&](const auto& e) { return e.first == item.first.Scalar(); });
    am.severity_map.emplace_back(item.first.Scalar(), *severity);
  }
}

void load_http(const config::Node& root, Settings& s) {
  auto n = root.map("http", http_section());
  auto& h = s.http;
  h.enabled = n.boolean("enabled");
  h.limits.max_events = static_cast<std::size_t>(n.integer("max_events", 1, 1'000'000));
  h.limits.max_attributes = static_cast<std::size_t>(n.integer("max_attributes", 1, 10'000));
  h.limits.max_name = static_cast<std::size_t>(n.size("max_name"));
  h.limits.max_value = static_cast<std::size_t>(n.size("max_value"));
  h.limits.max_fingerprint = static_cast<std::size_t>(n.integer("max_fingerprint", 0, 1'000));
  auto am = n.map("alertmanager", http_alertmanager_section());
  h.alertmanager.resource_labels = am.string_list("resource_labels");
  h.alertmanager.fallback_resource = am.string("fallback_resource");
  h.alertmanager.default_severity = parse_severity(am.choice("default_severity")).value_or(Severity::warning);
  load_severity_map(am, h.alertmanager);
  if (h.alertmanager.fallback_resource.empty()) am.error("fallback_resource", "must not be empty");
  if (h.limits.max_name == 0) n.error("max_name", "must be at least 1 byte");
  if (h.limits.max_value == 0) n.error("max_value", "must be at least 1 byte");
}

void load_notifications(const config::Node& root, Settings& s) {
  auto n = root.map("notifications", notifications_section());
  s.smtp.console_url = n.string("console_url");
  s.correlator.console_url = s.smtp.console_url;
  s.smtp.reply_secret = n.string("reply_secret");
  if (std::string file = n.file("reply_secret_file"); !file.empty()) {
    if (!s.smtp.reply_secret.empty()) n.error("reply_secret_file", "give reply_secret or reply_secret_file, not both");
    s.smtp.reply_secret = first_line(file);
    if (s.smtp.reply_secret.empty() && std::ifstream(file)) n.error("reply_secret_file", "'" + file + "' holds no secret on its first line");
  }
  s.smtp.reply_to = n.string("reply_to");
  s.outbox.initial_backoff = n.duration("initial_backoff");
  s.outbox.max_backoff = n.duration("max_backoff");
  s.outbox.poll_interval = n.duration("poll_interval");
  load_throttle_settings(n, s.outbox.throttle);
  auto e = n.map("email", email_section());
  s.email_enabled = e.boolean("enabled");
  s.smtp.server = e.string("server");
  std::string tls = e.choice("tls");
  using Tls = email::SmtpConfig::Tls;
  s.smtp.tls = tls == "starttls" ? Tls::starttls
               : tls == "required_starttls" ? Tls::required_starttls
               : tls == "implicit"          ? Tls::implicit
                                            : Tls::none;
  s.smtp.username = e.string("username");
  s.smtp.password = e.string("password");
  if (std::string file = e.file("password_file"); !file.empty()) s.smtp.password = first_line(file);
  s.smtp.auth = e.choice("auth") == "login" ? email::SmtpConfig::Auth::login : email::SmtpConfig::Auth::plain;
  s.smtp.ca_file = e.file("ca_file");
  s.smtp.from = e.string("from");
  s.smtp.helo_name = e.string("helo_name");
  s.smtp.timeout = std::chrono::duration_cast<std::chrono::seconds>(e.duration("timeout"));
  if (s.email_enabled) {
    s.correlator.email_recipients = e.string_list("recipients");
    if (s.correlator.email_recipients.empty())
      e.error("recipients", "e-mail pages are enabled but nobody is listed to receive them");
  }
  s.sms = load_sms_settings(n);
  s.webhook = load_webhook_settings(n);
  s.correlator.webhooks = s.webhook.targets;
  if (s.outbox.max_backoff < s.outbox.initial_backoff)
    n.error("max_backoff", "must not be shorter than initial_backoff");
}

}  // namespace

std::optional<Settings> load_settings(const std::string& path, config::Errors& errors) {
  std::ifstream in(path);
  if (!in) {
    errors.add(path + ": cannot open the configuration file");
    return std::nullopt;
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    errors.add(path, e.mark, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  Settings s;
  s.file = path;
  config::Node root(doc, root_section(), path, "", errors);
  s.log_level = root.map("log", log_section()).choice("level");
  auto store = root.map("store", store_section());
  store.choice("backend");
  s.store_path = store.string("path");
  s.repeat_flush_ms = store.integer("repeat_flush_ms", 0, 60'000);
  s.store_cache_kib = static_cast<int>(std::clamp<std::uint64_t>(store.size("cache_size") / 1024, 64, 1U << 20));
  auto pipeline = root.map("pipeline", pipeline_section());
  s.pipeline.queue_capacity = static_cast<std::size_t>(pipeline.integer("queue_capacity", 1, 100'000'000));
  s.pipeline.batch_max = static_cast<std::size_t>(pipeline.integer("batch_max", 1, 1'000'000));
  load_api(root, s);
  load_syslog(root, s);
  load_http(root, s);
  s.mqtt = mqtt::load_config(root);
  s.snmp = snmp::load_config(root);
  s.email_in = email_in::load_config(root);
  auto correlation = root.map("correlation", correlation_section());
  s.correlator.default_group = correlation.string("default_group");
  s.correlator.grouping.keys = correlation.string_list("grouping_keys");
  for (const auto& k : s.correlator.grouping.keys)
    if (!valid_group_field(k))
      correlation.error("grouping_keys", "unknown field '" + k + "': use ci, resource, name, service, location or attr.<name>");
  s.correlator.grouping.window_ms = correlation.duration("grouping_window").count();
  s.correlator.topology.enabled = correlation.boolean("topology");
  s.correlator.topology.hold_ms = correlation.duration("hold_window").count();
  s.correlator.auto_resolve_hold_ms = correlation.duration("auto_resolve_hold").count();
  s.correlator.auto_close.after_ms = correlation.duration("auto_close_after").count();
  s.correlator.recurrence.window_ms = correlation.duration("recurrence_window").count();
  s.correlator.recurrence.note_at = correlation.integer("recurrence_note_at", 0, 1'000'000);
  s.correlator.oncall = load_oncall_settings(root);  // first: assignment rules may name its people
  load_engine_settings(root, s.correlator);
  load_sla_settings(root, s.correlator);
  s.correlator.rules.flapping = rules::load_flapping(correlation);
  s.correlator.rules.heartbeats = rules::load_heartbeats(root);
  s.correlator.maintenance = load_maintenance_settings(root);
  load_notifications(root, s);
  // Replies to pages reach the e-mail collector: it checks their token and
  // finds the sender in the on-call directory.
  s.email_in.decoder.replies.secret = s.smtp.reply_secret;
  s.email_in.decoder.replies.directory = s.correlator.oncall;
  if (!errors.empty()) return std::nullopt;
  return s;
}

std::vector<const config::Section*> all_sections() {
  return {
      &root_section(),
      &log_section(),
      &store_section(),
      &pipeline_section(),
      &api_section(),
      &token_section(),
      &syslog_section(),
      &syslog_udp_section(),
      &syslog_tcp_section(),
      &rule_section(),
      &http_section(),
      &http_alertmanager_section(),
      &mqtt::mqtt_section(),
      &mqtt::broker_section(),
      &snmp::snmp_section(),
      &snmp::udp_section(),
      &snmp::user_section(),
      &email_in::email_in_section(),
      &correlation_section(),
      &notifications_section(),
      &rate_limit_section(),
      &quiet_hours_section(),
      &email_section(),
      &sms_section(),
      &webhook_section(),
      &webhook_target_section(),
      &cmdb_section(),
      &priority_section(),
      &assignment_section(),
      &assignment_rule_section(),
      &oncall_section(),
      &oncall_user_section(),
      &oncall_contact_section(),
      &oncall_group_section(),
      &oncall_roster_section(),
      &oncall_rotation_section(),
      &oncall_override_section(),
      &rules::rule_threshold_section(),
      &rules::rule_flapping_section(),
      &rules::flapping_section(),
      &rules::heartbeat_section(),
      &maintenance_section(),
      &sla_section(),
      &sla_target_section(),
      &sla_calendar_section(),
      &escalation_section(),
      &escalation_policy_section(),
      &escalation_step_section(),
  };
}

}  // namespace tocsin
