// SNMP trap flood generator for the benchmark and the burst test: pre-encodes
// SNMPv2c linkDown traps with net-snmp (the same encoder as snmptrap) and
// sends them as fast as the socket takes them with sendmmsg(). Prints what
// it sent, so the receiver's counters can be checked against it.
//
//   snmp_trap_flood --port 1162 [--host 127.0.0.1] [--count 50000]
//                   [--community public] [--interfaces 16] [--rate 0]
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 162;
  long count = 50000;
  std::string community = "public";
  int interfaces = 16;  // distinct ifIndex values, so the receiver keeps that many alerts
  long rate = 0;        // traps per second; 0 = as fast as possible
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") o.host = v;
    else if (k == "--port") o.port = std::stoi(v);
    else if (k == "--count") o.count = std::stol(v);
    else if (k == "--community") o.community = v;
    else if (k == "--interfaces") o.interfaces = std::max(1, std::stoi(v));
    else if (k == "--rate") o.rate = std::stol(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

std::string captured;

int capture(netsnmp_transport*, const void* buf, int size, void**, int*) {
  captured.assign(static_cast<const char*>(buf), static_cast<std::size_t>(size));
  return size;
}

// A session whose transport only records what it is asked to send.
void* encoder_session(const Options& o) {
  auto* t = static_cast<netsnmp_transport*>(calloc(1, sizeof(netsnmp_transport)));
  t->sock = 0;
  t->domain = netsnmpUDPDomain;
  t->domain_length = netsnmpUDPDomain_len;
  t->msgMaxSize = 65535;
  t->f_send = capture;
  t->f_close = [](netsnmp_transport*) { return 0; };
  netsnmp_session s;
  snmp_sess_init(&s);
  s.version = SNMP_VERSION_2c;
  s.community = reinterpret_cast<u_char*>(const_cast<char*>(o.community.c_str()));
  s.community_len = o.community.size();
  s.flags |= SNMP_FLAGS_DONT_PROBE;
  return snmp_sess_add(&s, t, nullptr, nullptr);
}

std::string encode_link_down(void* sessp, int if_index, long uptime) {
  static const oid sys_uptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
  static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
  static const oid link_down[] = {1, 3, 6, 1, 6, 3, 1, 1, 5, 3};
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
  u_long ticks = static_cast<u_long>(uptime);
  snmp_pdu_add_variable(pdu, sys_uptime, OID_LENGTH(sys_uptime), ASN_TIMETICKS, &ticks, sizeof ticks);
  snmp_pdu_add_variable(pdu, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID, link_down, sizeof link_down);
  long value = if_index;
  oid column[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 1, static_cast<oid>(if_index)};
  snmp_pdu_add_variable(pdu, column, OID_LENGTH(column), ASN_INTEGER, &value, sizeof value);
  long down = 2;
  for (oid c : {7, 8}) {
    column[9] = c;
    snmp_pdu_add_variable(pdu, column, OID_LENGTH(column), ASN_INTEGER, &down, sizeof down);
  }
  std::string name = "GigabitEthernet0/" + std::to_string(if_index);
  column[9] = 2;
  snmp_pdu_add_variable(pdu, column, OID_LENGTH(column), ASN_OCTET_STR, name.data(), name.size());
  captured.clear();
  if (!snmp_sess_send(sessp, pdu)) snmp_free_pdu(pdu);
  return captured;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  snmp_disable_log();
  netsnmp_set_mib_directory("/nonexistent/no-mibs");  // numeric OIDs only: no MIB files to parse
  setenv("MIBS", "", 1);
  init_snmp("snmp_trap_flood");
  void* sessp = encoder_session(o);
  std::vector<std::string> traps;
  for (int i = 1; i <= o.interfaces; ++i) traps.push_back(encode_link_down(sessp, i, 100 * i));
  if (traps.front().empty()) {
    std::fprintf(stderr, "net-snmp did not encode the trap\n");
    return 1;
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(o.port));
  inet_pton(AF_INET, o.host.c_str(), &to.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    std::perror("connect");
    return 1;
  }

  constexpr int kBatch = 64;
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<iovec> iov(kBatch);
  long sent = 0, errors = 0;
  auto start = std::chrono::steady_clock::now();
  while (sent < o.count) {
    int n = static_cast<int>(std::min<long>(kBatch, o.count - sent));
    for (int i = 0; i < n; ++i) {
      const std::string& t = traps[static_cast<std::size_t>((sent + i) % o.interfaces)];
      iov[i] = {const_cast<char*>(t.data()), t.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
    if (r < 0) {
      // Loopback refuses with ECONNREFUSED/ENOBUFS only transiently; count and go on.
      ++errors;
      if (errors > 1000) break;
      continue;
    }
    sent += r;
    if (o.rate > 0) {
      auto due = start + std::chrono::microseconds(sent * 1'000'000 / o.rate);
      std::this_thread::sleep_until(due);
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sent=%ld seconds=%.3f rate=%.0f bytes_per_trap=%zu send_errors=%ld\n", sent, seconds,
              seconds > 0 ? sent / seconds : 0.0, traps.front().size(), errors);
  close(fd);
  return sent == o.count ? 0 : 1;
}
