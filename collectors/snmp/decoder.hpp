#pragma once
// The SNMP collector's parser: one datagram in, a Trap or a counted reason
// out. net-snmp does the BER and USM work through a session bound to an
// in-memory transport, so nothing here touches a socket: the datagram is
// handed in, and whatever net-snmp wants to send back (a REPORT for engine-ID
// discovery, the RESPONSE to an INFORM) is handed out as bytes for the
// transport to send. The INFORM response is only encoded here; the transport
// sends it once the event is durable.
//
// net-snmp keeps process-wide state (USM users, engine ID, statistics) and is
// not thread-safe, so every Decoder serialises its calls on one process-wide
// lock, and the USM user table belongs to the most recently configured
// Decoder (the daemon has one).

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "collectors/snmp/trap.hpp"

namespace tocsin::snmp {

struct UsmUser {
  std::string name;
  // Engine IDs (hex) of the devices that send traps as this user. Informs are
  // addressed to our own engine ID, so every user may also send informs.
  std::vector<std::string> engine_ids;
  std::string auth_protocol = "none";  // none, MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
  std::string auth_passphrase;
  std::string priv_protocol = "none";  // none, DES, AES (= AES-128), AES-192, AES-256
  std::string priv_passphrase;
};

struct DecoderConfig {
  std::vector<std::string> communities;  // v1/v2c allow-list; empty refuses v1/v2c
  std::vector<UsmUser> users;
  std::string engine_id;                 // hex; empty keeps net-snmp's generated one
  std::size_t max_varbinds = 128;
  std::vector<std::string> mib_dirs;     // read once, at the first Decoder
};

struct Decoded {
  std::optional<Trap> trap;
  Reject reason = Reject::parse_error;  // when there is no trap
  bool discovery = false;               // an engine-ID discovery probe, answered by `reply`
  std::string reply;                    // to send now (REPORT)
  std::string response;                 // INFORM: to send once the event is durable
};

// Checks a user definition; the message says what is wrong, empty when fine.
std::string check_user(const UsmUser& user);
// "0x8000000001020304" or "8000000001020304" → bytes; nullopt when not hex.
std::optional<std::string> parse_engine_id(std::string_view hex);

class Decoder {
 public:
  // Throws std::invalid_argument when a user or the engine ID is refused.
  explicit Decoder(const DecoderConfig& config);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  void reconfigure(const DecoderConfig& config);
  Decoded decode(std::string_view datagram, const sockaddr* peer, socklen_t peer_len);
  // Our engine ID as hex: what inform senders discover.
  std::string local_engine_id() const;

  struct Session;

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace tocsin::snmp
