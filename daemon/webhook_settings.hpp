#pragma once
// Configuration of the webhook sink (section notifications.webhook): the
// allow-list of destinations, the URLs told of incident changes and which
// changes each receives. A URL outside the allow-list is an error here, at
// start, --check-config and SIGHUP; the sink checks again at send time.

#include "config/schema.hpp"
#include "correlator/notify/webhook.hpp"
#include "sinks/webhook/config.hpp"

namespace tocsin {

const config::Section& webhook_section();
const config::Section& webhook_target_section();

struct WebhookSettings {
  bool enabled = false;
  webhook::WebhookConfig sink;
  std::vector<notify::WebhookTarget> targets;  // empty unless enabled
};

// Reads `webhook` from the notifications section.
WebhookSettings load_webhook_settings(const config::Node& notifications);

}  // namespace tocsin
