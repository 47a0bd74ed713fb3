// See encoder.hpp.
#include "sinks/webhook/encoder.hpp"

namespace tocsin::webhook {

namespace {
// Header values come from the configuration and the notification: keep
// printable ASCII only, so that none can end the header line.
std::string header_value(std::string_view s) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F) out += c;
  return out.substr(0, 200);
}
}  // namespace

HttpPost encode_post(const Notification& n, const WebhookConfig& config) {
  HttpPost post;
  post.url = n.recipient;
  post.body = n.body;
  auto& h = post.headers;
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("User-Agent", header_value(config.user_agent));
  h.emplace_back("X-Tocsin-Event", header_value(n.kind));
  h.emplace_back("X-Tocsin-Incident", std::to_string(n.incident_id));
  h.emplace_back("X-Tocsin-Notification", std::to_string(n.id));
  h.emplace_back("Idempotency-Key", "tocsin-n" + std::to_string(n.id));
  if (n.possible_duplicate) h.emplace_back("X-Tocsin-Possible-Duplicate", "yes");
  return post;
}

StatusClass classify_status(long status) {
  if (status >= 200 && status < 300) return StatusClass::delivered;
  if (status == 408 || status == 425 || status == 429 || status >= 500) return StatusClass::retry;
  return StatusClass::rejected;
}

}  // namespace tocsin::webhook
