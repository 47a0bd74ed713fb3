#pragma once
// HTTP client of the SMS sink: encodes a page (encoder.hpp), sends each part
// to the configured gateway (Kannel's sendsms by default) through libcurl with
// connect and total timeouts, and maps the answer onto the outbox outcomes.

#include <string_view>

#include "sinks/sink.hpp"
#include "sinks/sms/config.hpp"

namespace tocsin::sms {

// Outcome mapping: every part passes the success test → delivered; a status
// in reject_codes → rejected; anything else (refused or timed-out connection,
// 5xx, other 4xx) → retry. With overflow `split`, a failure after some parts
// went out retries every part: the earlier ones arrive twice.
class HttpSmsSink final : public Sink {
 public:
  explicit HttpSmsSink(SmsConfig config);

  std::string_view channel() const override { return "sms"; }
  DeliveryResult deliver(const Notification& notification) override;

 private:
  SmsConfig config_;
};

}  // namespace tocsin::sms
