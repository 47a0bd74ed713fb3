// Fuzz target for the SNMP decode path (net-snmp parse, USM, RFC 3584
// translation, varbind rendering, mapping rules): arbitrary datagrams must end
// in an Event or a counted rejection, never a crash. The users match the seed
// captures so that v3 inputs reach the decryption and digest checks.

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/snmp/handler.hpp"

namespace {

volatile std::size_t sink;

tocsin::snmp::Config fuzz_config() {
  tocsin::snmp::Config c;
  c.decoder.communities = {"public"};
  c.decoder.engine_id = "0x80001f8804746f6373696e";
  tocsin::snmp::UsmUser noc{"tocsin-noc", {"0x8000000001020304"}, "SHA-256", "noc-auth-pass", "AES", "noc-priv-pass"};
  tocsin::snmp::UsmUser auth{"tocsin-auth", {"0x8000000001020304"}, "SHA", "auth-only-pass", "none", ""};
  tocsin::snmp::UsmUser plain{"tocsin-plain", {"0x8000000001020304"}, "none", "", "none", ""};
  c.decoder.users = {noc, auth, plain};
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tocsin::StatsRegistry stats;
  static tocsin::FakeClock clock;
  static tocsin::snmp::TrapHandler handler(fuzz_config(), stats, clock);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(50000);
  peer.sin_addr.s_addr = htonl(0xC000020A);  // 192.0.2.10
  tocsin::snmp::Datagram d{{reinterpret_cast<const char*>(data), size}, "192.0.2.10",
                           reinterpret_cast<const sockaddr*>(&peer), sizeof peer, false};
  auto out = handler.handle(d);
  std::size_t sum = out.reply.size() + out.response.size();
  if (out.event) {
    for (const auto& [k, v] : out.event->attributes) sum += k.size() + v.size();
    sum += out.event->name.size() + out.event->summary.size() + out.event->resource.size();
  }
  sink = sum;
  return 0;
}
