#pragma once
// HTTP client of the webhook sink: POSTs one incident change to its URL with
// libcurl, only to destinations of the allow-list, and maps the answer onto
// the outbox outcomes. The allow-list is checked on the URL before anything
// is sent and on every address libcurl is about to connect to; no proxy is
// used and redirects are not followed. A refusal is counted
// (tocsin_webhook_refused_total{reason}) and is final for that notification.

#include <memory>
#include <mutex>
#include <string_view>

#include "correlator/stats.hpp"
#include "sinks/curl.hpp"
#include "sinks/sink.hpp"
#include "sinks/webhook/config.hpp"

namespace tocsin::webhook {

// One libcurl handle serves every delivery (the outbox calls deliver() from
// its one thread), so connections are kept between POSTs; a new allow-list
// drops them, so that every later connection is checked against it.
class WebhookSink final : public Sink {
 public:
  WebhookSink(WebhookConfig config, StatsRegistry& stats);

  std::string_view channel() const override { return "webhook"; }
  DeliveryResult deliver(const Notification& notification) override;
  // SIGHUP: a new allow-list applies from the next delivery on, also to
  // notifications committed before.
  void reconfigure(WebhookConfig config);

 private:
  std::shared_ptr<const WebhookConfig> current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const WebhookConfig> config_;
  StatsRegistry& stats_;
  CurlHandle curl_;
  std::shared_ptr<const WebhookConfig> curl_config_;  // the settings curl_'s connections were checked against
};

// Why a POST was refused before it was sent, labels of tocsin_webhook_refused_total.
inline constexpr std::string_view refusal_reasons[] = {"bad_url", "not_allowed", "address_not_allowed"};

}  // namespace tocsin::webhook
