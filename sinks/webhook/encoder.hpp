#pragma once
// Pure encoder of the webhook sink: one Notification (channel "webhook", its
// body the JSON of the incident change, correlator/notify/webhook.hpp) → the
// HTTP POST that carries it. The JSON is sent as committed; what only the
// delivery knows (a resend after a crash) goes in headers.

#include <string>
#include <utility>
#include <vector>

#include "correlator/model.hpp"
#include "sinks/webhook/config.hpp"

namespace tocsin::webhook {

struct HttpPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // values free of CR, LF and controls
  std::string body;
};

// Content-Type: application/json; User-Agent; X-Tocsin-Event (the kind of
// change); X-Tocsin-Incident; X-Tocsin-Notification and Idempotency-Key
// ("tocsin-n<id>", the same on every attempt, so a receiver can drop
// repeats); X-Tocsin-Possible-Duplicate: yes on a resend after a crash.
HttpPost encode_post(const Notification& n, const WebhookConfig& config);

// How the receiver's status is taken: 2xx delivered; 408, 425, 429 and 5xx
// retried; anything else (other 4xx, 3xx: redirects are not followed)
// rejected for good.
enum class StatusClass { delivered, retry, rejected };
StatusClass classify_status(long status);

}  // namespace tocsin::webhook
