#pragma once
// A Sink delivers one Notification on one channel (e-mail, SMS, webhook). The
// outbox worker calls it on its own thread and decides, from the outcome,
// whether the notification is done, retried later or given up.

#include <string>
#include <string_view>

#include "correlator/model.hpp"

namespace tocsin {

struct DeliveryResult {
  enum class Outcome {
    delivered,  // the remote side took responsibility (SMTP 250, HTTP 2xx)
    retry,      // transient: unreachable, timeout, 4xx; try again after a backoff
    rejected,   // permanent for this notification (e.g. 550 unknown recipient)
  };
  Outcome outcome = Outcome::retry;
  std::string detail;  // what the remote side said, for the log and last_error
};

class Sink {
 public:
  virtual ~Sink() = default;
  // The Notification::channel this sink serves, e.g. "email".
  virtual std::string_view channel() const = 0;
  // Blocking; bounded by the sink's own timeouts. Never throws on delivery
  // errors: they are outcomes.
  virtual DeliveryResult deliver(const Notification& notification) = 0;
};

}  // namespace tocsin
