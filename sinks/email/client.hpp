#pragma once
// SMTP client of the e-mail sink: hands one encoded page to the configured
// submission server through libcurl and maps the server's answer onto the
// outbox outcomes (delivered / retry / rejected).

#include <memory>
#include <mutex>
#include <string_view>

#include "correlator/clock.hpp"
#include "sinks/email/config.hpp"
#include "sinks/sink.hpp"

namespace tocsin::email {

// Outcome mapping: 250 after DATA → delivered; a 5xx answer to RCPT or DATA
// (unknown recipient, message refused) → rejected; everything else → retry:
// refused or timed-out connections, TLS failures, 4xx, and also AUTH and MAIL
// FROM failures, because those are configuration problems that affect every
// page, and pages must wait in the outbox until the configuration is fixed.
class SmtpSink final : public Sink {
 public:
  // `clock` dates the messages.
  SmtpSink(SmtpConfig config, const Clock& clock);

  std::string_view channel() const override { return "email"; }
  DeliveryResult deliver(const Notification& notification) override;
  // SIGHUP: the new server, credentials and sender apply from the next
  // delivery on; the one in progress finishes with the old ones.
  void reconfigure(SmtpConfig config);

 private:
  std::shared_ptr<const SmtpConfig> current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const SmtpConfig> config_;
  const Clock& clock_;
};

}  // namespace tocsin::email
