#pragma once
// The line mix of the syslog benchmarks, shared by the load generator
// (syslog_flood) and the decode benchmark (syslog_decode_bench): what the
// devices and servers of a NOC send, Cisco interface flaps, Junos link traps,
// Linux sshd/cron and RFC 5424 with structured data, per 100 lines 30 Cisco
// %LINK, 15 %LINEPROTO, 15 Junos, 15 sshd, 10 cron and 15 RFC 5424.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace tocsin::bench {

struct LineMix {
  int hosts = 200;      // distinct devices per family
  int interfaces = 48;  // distinct interfaces per device
  unsigned seed = 1;
};

class LineMaker {
 public:
  LineMaker(const LineMix& mix, std::time_t now) : o_(mix), random_(mix.seed) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(bsd_time_, sizeof bsd_time_, "%b %e %H:%M:%S", &tm);
    std::strftime(iso_time_, sizeof iso_time_, "%Y-%m-%dT%H:%M:%S", &tm);
  }

  std::string next() {
    int pick = pick_(random_);
    if (pick < 30) return cisco_link(pick < 20);
    if (pick < 45) return cisco_lineproto();
    if (pick < 60) return junos_link();
    if (pick < 70) return sshd_failure();
    if (pick < 75) return sshd_accepted();
    if (pick < 85) return cron();
    return rfc5424();
  }

 private:
  int host() { return std::uniform_int_distribution<int>(1, o_.hosts)(random_); }
  int interface() { return std::uniform_int_distribution<int>(0, o_.interfaces - 1)(random_); }
  int small(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  // Cisco names interfaces module/0/port, 48 ports a module.
  std::string cisco_interface(int i) {
    return "GigabitEthernet" + std::to_string(1 + i / 48) + "/0/" + std::to_string(1 + i % 48);
  }

  std::string format(const char* fmt, auto... args) {
    char line[512];
    int n = std::snprintf(line, sizeof line, fmt, args...);
    return std::string(line, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof line) - 1)));
  }

  std::string cisco_link(bool down) {
    return format("<187>%s sw-%03d %u: *%s.%03d: %%LINK-3-UPDOWN: Interface %s, changed state to %s", bsd_time_,
                  host(), ++cisco_seq_, bsd_time_, small(1000), cisco_interface(interface()).c_str(),
                  down ? "down" : "up");
  }

  std::string cisco_lineproto() {
    return format("<189>%s sw-%03d %u: *%s.%03d: %%LINEPROTO-5-UPDOWN: Line protocol on Interface %s, changed "
                  "state to %s",
                  bsd_time_, host(), ++cisco_seq_, bsd_time_, small(1000), cisco_interface(interface()).c_str(),
                  small(3) == 0 ? "up" : "down");
  }

  std::string junos_link() {
    bool down = small(3) != 0;
    int i = interface();
    return format("<28>%s mx-%03d mib2d[%d]: SNMP_TRAP_LINK_%s: ifIndex %d, ifAdminStatus up(1), ifOperStatus "
                  "%s, ifName ge-%d/0/%d",
                  bsd_time_, host(), 1200 + small(100), down ? "DOWN" : "UP", 500 + i, down ? "down(2)" : "up(1)",
                  i / 24, i % 24);
  }

  std::string sshd_failure() {
    static constexpr const char* users[] = {"root", "admin", "invalid user oracle", "invalid user test", "ubuntu"};
    return format("<38>%s srv-%03d sshd[%d]: Failed password for %s from 203.0.113.%d port %d ssh2", bsd_time_,
                  host(), 2000 + small(30000), users[small(5)], 1 + small(254), 32768 + small(28000));
  }

  std::string sshd_accepted() {
    return format("<38>%s srv-%03d sshd[%d]: Accepted publickey for deploy from 10.20.%d.%d port %d ssh2: "
                  "ED25519 SHA256:Jq3mZb0C1d9Yc2xv7p4Tq8GZ6u0hJfQy0cVt5nW2sA4",
                  bsd_time_, host(), 2000 + small(30000), small(256), 1 + small(254), 32768 + small(28000));
  }

  std::string cron() {
    if (small(2) == 0)
      return format("<86>%s srv-%03d CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
                    bsd_time_, host(), 2000 + small(30000));
    return format("<78>%s srv-%03d CRON[%d]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)", bsd_time_,
                  host(), 2000 + small(30000));
  }

  std::string rfc5424() {
    if (small(2) == 0) {
      int user = small(20);
      return format("<165>1 %s.%03dZ mx-%03d mgd %d UI_COMMIT [junos@2636.1.1.1.2.18 username=\"noc%d\"] User "
                    "'noc%d' requested 'commit' operation (comment: change %d)",
                    iso_time_, small(1000), host(), 3000 + small(1000), user, user, small(100000));
    }
    return format("<163>1 %s.%03dZ app-%03d payments %d TXN_TIMEOUT [meta@32473 region=\"eu-west-%d\" "
                  "instance=\"i-%08x\"][origin ip=\"10.1.%d.%d\"] Transaction to upstream timed out after %d ms",
                  iso_time_, small(1000), host(), 1000 + small(9000), 1 + small(3), small(1 << 30), small(256),
                  1 + small(254), 1000 + small(4000));
  }

  LineMix o_;
  std::mt19937 random_;
  std::uniform_int_distribution<int> pick_{0, 99};
  unsigned cisco_seq_ = 0;
  char bsd_time_[32] = {};
  char iso_time_[32] = {};
};

// `count` lines stamped with the time `now` (UTC).
inline std::vector<std::string> make_lines(const LineMix& mix, long count, std::time_t now) {
  LineMaker maker(mix, now);
  std::vector<std::string> lines;
  lines.reserve(static_cast<std::size_t>(count));
  for (long i = 0; i < count; ++i) lines.push_back(maker.next());
  return lines;
}

}  // namespace tocsin::bench
