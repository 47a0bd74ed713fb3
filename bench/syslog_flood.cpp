// Load generator for the syslog benchmark: floods a loopback syslog UDP port
// with a realistic mix of device lines (Cisco interface flaps, Junos link
// traps, Linux sshd/cron, RFC 5424 with structured data), so that a receiver
// sees both repeats of known alerts and new ones. Every line is formatted up
// front; the send loop only points sendmmsg() at them.
//
//   syslog_flood --port P [--host 127.0.0.1] [--count N] [--rate MSGS_PER_S]
//                [--seconds S] [--hosts H] [--interfaces I] [--batch B]
//                [--pool N] [--seed N]
//
// Prints one line of key=value pairs: sent, errors, elapsed_s, rate_msgs_s and
// the wall-clock times of the first and last send (first_send_unix,
// last_send_unix), which the benchmark script uses as its start of time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "bench/syslog_lines.hpp"

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  long count = 500'000;
  long rate = 0;          // messages per second; 0 = as fast as the socket takes them
  double seconds = 60.0;  // hard bound on the send loop
  int hosts = 200;        // distinct devices per family
  int interfaces = 48;    // distinct interfaces per device
  int batch = 256;        // datagrams per sendmmsg() call
  long pool = 100'000;    // distinct lines formatted up front, sent in a cycle
  unsigned seed = 1;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "syslog_flood: %s\n"
               "usage: syslog_flood --port P [--host 127.0.0.1|::1] [--count N] [--rate MSGS_PER_S]\n"
               "                    [--seconds S] [--hosts H] [--interfaces I] [--batch B] [--pool N] [--seed N]\n",
               why);
  std::exit(2);
}

template <class T>
T number(std::string_view flag, const char* text, T min) {
  T value{};
  std::string_view s(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value < min)
    usage(("bad value for " + std::string(flag) + ": '" + std::string(s) + "'").c_str());
  return value;
}

double seconds_value(const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || v <= 0) usage("bad value for --seconds");
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + std::string(flag)).c_str());
    const char* v = argv[i + 1];
    if (flag == "--host") o.host = v;
    else if (flag == "--port") o.port = number<int>(flag, v, 1);
    else if (flag == "--count") o.count = number<long>(flag, v, 1);
    else if (flag == "--rate") o.rate = number<long>(flag, v, 0);
    else if (flag == "--seconds") o.seconds = seconds_value(v);
    else if (flag == "--hosts") o.hosts = number<int>(flag, v, 1);
    else if (flag == "--interfaces") o.interfaces = number<int>(flag, v, 1);
    else if (flag == "--batch") o.batch = std::min(number<int>(flag, v, 1), 1024);
    else if (flag == "--pool") o.pool = number<long>(flag, v, 1);
    else if (flag == "--seed") o.seed = number<unsigned>(flag, v, 0);
    else usage(("unknown option " + std::string(flag)).c_str());
  }
  if (o.port < 1 || o.port > 65535) usage("--port 1..65535 is required");
  o.pool = std::min(o.pool, o.count);
  return o;
}

// A benchmark must never flood someone else's machine: only loopback targets.
bool loopback_target(const std::string& host, int port, sockaddr_storage& out, socklen_t& len) {
  std::memset(&out, 0, sizeof out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in6);
    return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
  }
  return false;
}

std::vector<std::string> make_lines(const Options& o) {
  return tocsin::bench::make_lines({o.hosts, o.interfaces, o.seed}, o.pool, std::time(nullptr));
}

// ---- The send loop. ----

struct Result {
  long sent = 0;
  long errors = 0;
  timespec first_send{};
  timespec last_send{};
  double elapsed_s = 0;
};

double seconds_between(const timespec& a, const timespec& b) {
  return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e9;
}

timespec add_seconds(timespec t, double s) {
  auto ns = static_cast<long long>(s * 1e9) + t.tv_nsec;
  t.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return t;
}

class Flood {
 public:
  Flood(const Options& o, int fd, const sockaddr_storage& to, socklen_t to_len, const std::vector<std::string>& lines)
      : o_(o), fd_(fd), to_(to), to_len_(to_len), headers_(static_cast<std::size_t>(o.batch)) {
    iov_.reserve(lines.size());
    for (const auto& l : lines) iov_.push_back({const_cast<char*>(l.data()), l.size()});
    // At a set rate, send at least one batch a millisecond rather than in bursts.
    if (o.rate > 0) batch_ = static_cast<int>(std::clamp<long>(o.rate / 1000, 1, o.batch));
  }

  Result run() {
    Result r;
    clock_gettime(CLOCK_MONOTONIC, &start_);
    clock_gettime(CLOCK_REALTIME, &r.first_send);
    timespec deadline = add_seconds(start_, o_.seconds);
    timespec now = start_;
    while (r.sent + r.errors < o_.count && seconds_between(now, deadline) > 0) {
      pace(r.sent + r.errors);
      send_batch(r);
      clock_gettime(CLOCK_MONOTONIC, &now);
    }
    clock_gettime(CLOCK_REALTIME, &r.last_send);
    r.elapsed_s = seconds_between(start_, now);
    return r;
  }

 private:
  void pace(long done) {
    if (o_.rate <= 0) return;
    timespec due = add_seconds(start_, static_cast<double>(done) / static_cast<double>(o_.rate));
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr) == EINTR) {
    }
  }

  void send_batch(Result& r) {
    int n = static_cast<int>(std::min<long>(batch_, o_.count - r.sent - r.errors));
    for (int i = 0; i < n; ++i) {
      auto& h = headers_[static_cast<std::size_t>(i)].msg_hdr;
      h.msg_name = &to_;
      h.msg_namelen = to_len_;
      h.msg_iov = &iov_[next_];
      h.msg_iovlen = 1;
      next_ = next_ + 1 == iov_.size() ? 0 : next_ + 1;
    }
    int done = 0;
    while (done < n) {
      int k = sendmmsg(fd_, headers_.data() + done, static_cast<unsigned>(n - done), 0);
      if (k > 0) {
        done += k;
      } else if (errno != EINTR) {
        report_error(errno);
        r.errors += n - done;
        break;
      }
    }
    r.sent += done;
  }

  void report_error(int err) {
    if (errors_reported_++ < 3) std::fprintf(stderr, "syslog_flood: sendmmsg failed: %s\n", std::strerror(err));
  }

  const Options& o_;
  int fd_;
  sockaddr_storage to_;
  socklen_t to_len_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> headers_;
  std::size_t next_ = 0;
  int batch_ = o_.batch;
  timespec start_{};
  int errors_reported_ = 0;
};

int open_socket(int family) {
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("syslog_flood: socket");
    std::exit(1);
  }
  int sndbuf = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  sockaddr_storage to{};
  socklen_t to_len = 0;
  if (!loopback_target(o.host, o.port, to, to_len))
    usage(("refusing target '" + o.host + "': only loopback addresses (127.0.0.0/8, ::1) are allowed").c_str());
  std::vector<std::string> lines = make_lines(o);
  int fd = open_socket(to.ss_family);
  Result r = Flood(o, fd, to, to_len, lines).run();
  close(fd);
  std::printf("sent=%ld errors=%ld elapsed_s=%.6f rate_msgs_s=%.0f first_send_unix=%lld.%09ld "
              "last_send_unix=%lld.%09ld\n",
              r.sent, r.errors, r.elapsed_s, r.elapsed_s > 0 ? static_cast<double>(r.sent) / r.elapsed_s : 0.0,
              static_cast<long long>(r.first_send.tv_sec), r.first_send.tv_nsec,
              static_cast<long long>(r.last_send.tv_sec), r.last_send.tv_nsec);
  return r.sent > 0 ? 0 : 1;
}
