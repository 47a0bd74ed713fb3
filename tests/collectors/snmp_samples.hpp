#pragma once
// Real datagrams captured from net-snmp's snmptrap/snmpinform/snmpget (the
// commands are in collectors/snmp/README.md), shared by the SNMP tests and
// the fuzz seeds, and the configuration that matches their credentials.

#include <netinet/in.h>

#include <fstream>
#include <iterator>
#include <string>

#include "collectors/snmp/config.hpp"

namespace tocsin::snmp::test {

inline std::string sample(const std::string& name) {
  std::ifstream in(std::string(TOCSIN_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_snmp_decode/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline DecoderConfig sample_decoder_config() {
  DecoderConfig c;
  c.communities = {"public"};
  c.engine_id = "0x80001f8804746f6373696e";
  c.users = {
      {"tocsin-noc", {"0x8000000001020304"}, "SHA-256", "noc-auth-pass", "AES", "noc-priv-pass"},
      {"tocsin-auth", {"0x8000000001020304"}, "SHA", "auth-only-pass", "none", ""},
      {"tocsin-plain", {"0x8000000001020304"}, "none", "", "none", ""},
  };
  return c;
}

inline sockaddr_in peer_192_0_2_10() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(50000);
  a.sin_addr.s_addr = htonl(0xC000020A);
  return a;
}

}  // namespace tocsin::snmp::test
