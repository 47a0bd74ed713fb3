#pragma once
// Configuration of SMS pages (section `notifications.sms`): the HTTP gateway
// (Kannel's sendsms by default), the encoding of long texts, and the secret
// the gateway presents on delivery reports and replies.

#include "config/schema.hpp"
#include "sinks/sms/config.hpp"

namespace tocsin {

struct SmsSettings {
  bool enabled = false;
  sms::SmsConfig config;
};

const config::Section& sms_section();

// Reads `notifications.sms` of the `notifications` node.
SmsSettings load_sms_settings(const config::Node& notifications);

}  // namespace tocsin
