#pragma once
// HTTP client of the SMS sink: encodes a page (encoder.hpp), sends each part
// to the configured gateway (Kannel's sendsms by default) through libcurl with
// connect and total timeouts, and maps the answer onto the outbox outcomes.

#include <memory>
#include <mutex>
#include <string_view>

#include "sinks/curl.hpp"
#include "sinks/sink.hpp"
#include "sinks/sms/config.hpp"

namespace tocsin::sms {

// Outcome mapping: every part passes the success test → delivered; a status
// in reject_codes → rejected; anything else (refused or timed-out connection,
// 5xx, other 4xx) → retry. With overflow `split`, a failure after some parts
// went out retries every part: the earlier ones arrive twice.
//
// One libcurl handle serves every delivery (the outbox calls deliver() from
// its one thread), so the connection to the gateway is kept between pages.
class HttpSmsSink final : public Sink {
 public:
  explicit HttpSmsSink(SmsConfig config);

  std::string_view channel() const override { return "sms"; }
  DeliveryResult deliver(const Notification& notification) override;
  // SIGHUP: the new gateway settings and text limits apply from the next
  // delivery on; the one in progress finishes with the old ones.
  void reconfigure(SmsConfig config);

 private:
  std::shared_ptr<const SmsConfig> current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const SmsConfig> config_;
  CurlHandle curl_;  // reset before each request
};

}  // namespace tocsin::sms
