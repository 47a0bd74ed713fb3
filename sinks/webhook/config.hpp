#pragma once
// Settings of the webhook sink (section notifications.webhook): which
// destinations it may talk to and how long a delivery may take. The URLs and
// the changes they receive are the correlator's (notify::WebhookTarget).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlator/cmdb/ci.hpp"

namespace tocsin::webhook {

// One entry of the allow-list: a host name, or an IP network (an address is
// a /32 or /128), with a port or any port.
struct AllowEntry {
  std::string name;                    // lower-case host name; empty for a network
  cmdb::Cidr network;                   // when `name` is empty; an address is a /32 or /128
  std::optional<std::uint16_t> port;    // nullopt: any port ("*")
  std::string text;                     // as written, for messages
};

struct WebhookConfig {
  std::vector<AllowEntry> allow;
  std::chrono::seconds timeout{10};     // bound on one whole POST
  std::string user_agent = "tocsin";
};

}  // namespace tocsin::webhook
