// The notifications.webhook section.
#include "daemon/webhook_settings.hpp"

#include "sinks/webhook/allow_list.hpp"

namespace tocsin {

using config::Section;
using config::Type;

const Section& webhook_section() {
  static const Section s{
      "notifications.webhook",
      "Webhooks: each incident change (opened, acknowledged, resolved, escalated) POSTed as JSON to configured "
      "URLs, through the outbox like every page (retried with capped backoff on errors, 408, 429 and 5xx). Only "
      "destinations on the allow-list are ever contacted; no proxy is used and redirects are not followed. "
      "See sinks/webhook/README.md.",
      {{"enabled", Type::boolean, "false", "POST incident changes to the targets."},
       {"allow", Type::string_list, "",
        "Destinations that may be contacted: host:port (a name, DNS trusted for it), address:port, "
        "network/length:port (no host bits set after the length) or [IPv6]:port, with * for any port, e.g. [\"hooks.example.net:443\", "
        "\"10.20.0.0/16:8080\"]. A target URL outside it is an error; a pending POST to a URL a reload took off "
        "the list is refused and counted (tocsin_webhook_refused_total)."},
       {"targets", Type::list, "", "Receivers (see notifications.webhook.targets[])."},
       {"timeout", Type::duration, "10s", "Bound on one POST: connect, TLS, request and answer."},
       {"user_agent", Type::string, "tocsin", "User-Agent header of the POSTs."}}};
  return s;
}

const Section& webhook_target_section() {
  static const Section s{
      "notifications.webhook.targets[]",
      "One receiver.",
      {{"url", Type::string, "", "http:// or https:// URL, without user info; its host and port must be allowed.",
        {}, true},
       {"events", Type::string_list, "[opened, acknowledged, resolved, escalated]",
        "Incident changes POSTed: opened, acknowledged, resolved, escalated."}}};
  return s;
}

WebhookSettings load_webhook_settings(const config::Node& notifications) {
  WebhookSettings out;
  auto n = notifications.map("webhook", webhook_section());
  out.enabled = n.boolean("enabled");
  out.sink.timeout = std::chrono::duration_cast<std::chrono::seconds>(n.duration("timeout"));
  if (out.sink.timeout.count() < 1) n.error("timeout", "must be at least 1s");
  out.sink.user_agent = n.string("user_agent");
  for (const auto& text : n.string_list("allow")) {
    auto parsed = webhook::parse_allow_entry(text);
    if (!parsed.entry) {
      n.error("allow", parsed.error);
      continue;
    }
    out.sink.allow.push_back(std::move(*parsed.entry));
  }
  for (const auto& t : n.list("targets", webhook_target_section())) {
    notify::WebhookTarget target;
    target.url = t.string("url");
    auto url = webhook::parse_url(target.url);
    if (!url.url) {
      t.error("url", "'" + target.url + "' " + url.error);
    } else if (webhook::allowed(*url.url, out.sink.allow) == nullptr) {
      t.error("url", url.url->host + ":" + std::to_string(url.url->port) +
                         " is not in notifications.webhook.allow; add it there to let Tocsin contact it");
    }
    std::vector<std::string> events = t.string_list("events");
    if (!events.empty()) {
      target.kinds.clear();
      for (const auto& e : events) {
        if (e == "opened") target.kinds.push_back(notify::PageKind::opened);
        else if (e == "acknowledged") target.kinds.push_back(notify::PageKind::acknowledged);
        else if (e == "resolved") target.kinds.push_back(notify::PageKind::resolved);
        else if (e == "escalated") target.kinds.push_back(notify::PageKind::escalated);
        else t.error("events", "unknown event '" + e + "': use opened, acknowledged, resolved, escalated");
      }
    }
    out.targets.push_back(std::move(target));
  }
  if (out.enabled && out.targets.empty()) n.error("targets", "webhooks are enabled but no target is listed");
  if (!out.enabled) out.targets.clear();
  return out;
}

}  // namespace tocsin
