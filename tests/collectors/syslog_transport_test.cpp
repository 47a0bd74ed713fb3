// Specification of the syslog listeners on real loopback sockets: what the
// frame handler receives over UDP, TCP and TLS, that TCP is not read again
// before the previous batch is durable, and which counter each refusal moves.
#include "collectors/syslog/transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace tocsin::syslog {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kGenerous = 10s;

// Records what the transport hands over. `durable` is called at once unless
// held, in which case the test releases it from its own thread.
class RecordingHandler final : public FrameHandler {
 public:
  void offer(std::span<const FrameView> frames) override { record(frames, nullptr); }

  void submit(std::span<const FrameView> frames, std::function<void()> durable) override {
    std::unique_lock lock(mutex_);
    if (holding_) {
      held_.push_back(std::move(durable));
      record_locked(frames);
      return;
    }
    record_locked(frames);
    lock.unlock();
    durable();
  }

  void hold_durable() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }

  void release_durable(bool keep_holding) {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
      holding_ = keep_holding;
    }
    for (auto& d : held) d();
  }

  bool wait_for_frames(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGenerous, [&] { return frames_.size() >= n; });
  }

  bool wait_for_batches(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGenerous, [&] { return batch_sizes_.size() >= n; });
  }

  std::vector<std::string> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::vector<std::string> peers() const {
    std::lock_guard lock(mutex_);
    return peers_;
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

 private:
  void record(std::span<const FrameView> frames, std::nullptr_t) {
    std::lock_guard lock(mutex_);
    record_locked(frames);
  }
  void record_locked(std::span<const FrameView> frames) {
    for (const auto& f : frames) {
      frames_.emplace_back(f.data);
      peers_.emplace_back(f.peer);
    }
    batch_sizes_.push_back(frames.size());
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool holding_ = false;
  std::vector<std::function<void()>> held_;
  std::vector<std::string> frames_;
  std::vector<std::string> peers_;
  std::vector<std::size_t> batch_sizes_;
};

// Runs the io_context on its own thread; joins once the listeners are gone.
class IoThread {
 public:
  void start() {
    thread_ = std::thread([this] { io.run(); });
  }
  ~IoThread() {
    guard_.reset();
    if (thread_.joinable()) thread_.join();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io);
  std::thread thread_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// A plain blocking client socket, so that the test thread sees exactly what a
// device would.
class Client {
 public:
  Client(int type, std::uint16_t port) : fd_(socket(AF_INET, type, 0)) {
    auto sa = loopback(port);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) ADD_FAILURE() << "connect failed";
  }
  ~Client() { close(fd_); }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return ADD_FAILURE() << "send failed";
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Sends until the kernel refuses more; returns how much went out.
  std::size_t send_until_blocked(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) break;
      sent += static_cast<std::size_t>(n);
    }
    return sent;
  }

  void shutdown_write() { shutdown(fd_, SHUT_WR); }

  bool closed_by_server() {
    pollfd p{fd_, POLLIN, 0};
    char buf[256];
    auto deadline = std::chrono::steady_clock::now() + kGenerous;
    while (std::chrono::steady_clock::now() < deadline) {
      if (poll(&p, 1, 1000) <= 0) continue;
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  int fd_;
};

std::string octet_counted(const std::string& msg) { return std::to_string(msg.size()) + " " + msg; }

class SyslogTransport : public ::testing::Test {
 protected:
  TcpListenerConfig tcp_config() {
    TcpListenerConfig c;
    c.address = "127.0.0.1";
    return c;
  }

  StatsRegistry stats;
  RecordingHandler handler;
  IoThread io;
};

// ---- UDP ----

// The kernel fills in the datagram socket options; find the listener's socket
// among the process's descriptors by its bound port.
int find_udp_socket(std::uint16_t port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    int type = 0;
    socklen_t type_len = sizeof type;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0 || sa.sin_family != AF_INET) continue;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_DGRAM) continue;
    if (ntohs(sa.sin_port) == port) return fd;
  }
  return -1;
}

long read_proc_number(const char* path) {
  std::ifstream in(path);
  long v = 0;
  in >> v;
  return v;
}

TEST_F(SyslogTransport, UdpDeliversQueuedDatagramsAsOneBatchWithThePeerAddress) {
  UdpListener udp(io.io, {"127.0.0.1", 0}, handler, stats);
  udp.start();
  Client device(SOCK_DGRAM, udp.local_endpoint().port());
  device.send("<13>one");
  device.send("<13>two\n");
  device.send("<13>three");
  io.start();  // the three datagrams are already queued: one recvmmsg() takes them all

  ASSERT_TRUE(handler.wait_for_frames(3));
  EXPECT_EQ(handler.frames(), (std::vector<std::string>{"<13>one", "<13>two\n", "<13>three"}));
  EXPECT_EQ(handler.peers(), std::vector<std::string>(3, "127.0.0.1"));
  EXPECT_EQ(handler.batch_sizes(), std::vector<std::size_t>{3});
  EXPECT_EQ(stats.value("tocsin_syslog_received_total", {{"transport", "udp"}}), 3);
}

TEST_F(SyslogTransport, UdpDatagramOverTheLimitIsRejectedAsTooLong) {
  UdpListenerConfig config{"127.0.0.1", 0};
  config.max_datagram = 16;
  UdpListener udp(io.io, config, handler, stats);
  udp.start();
  io.start();
  Client device(SOCK_DGRAM, udp.local_endpoint().port());
  device.send("<13>" + std::string(13, 'x'));
  device.send("<13>" + std::string(12, 'x'));

  ASSERT_TRUE(handler.wait_for_frames(1));
  EXPECT_EQ(handler.frames(), std::vector<std::string>{"<13>" + std::string(12, 'x')});
  EXPECT_EQ(stats.value("tocsin_syslog_rejected_total", {{"reason", "too_long"}}), 1);
}

TEST_F(SyslogTransport, UdpReceiveBufferIsSetToTheConfiguredSize) {
  UdpListenerConfig config{"127.0.0.1", 0};
  config.receive_buffer_bytes = 3 * 1024 * 1024;
  UdpListener udp(io.io, config, handler, stats);
  udp.start();

  int fd = find_udp_socket(udp.local_endpoint().port());
  ASSERT_GE(fd, 0);
  int size = 0;
  socklen_t len = sizeof size;
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len), 0);
  // Without CAP_NET_ADMIN the kernel caps the request at net.core.rmem_max.
  long expected = std::min<long>(config.receive_buffer_bytes, read_proc_number("/proc/sys/net/core/rmem_max"));
  EXPECT_GE(size, expected);
}

TEST_F(SyslogTransport, UdpKernelDropsAreExportedPerListener) {
  UdpListenerConfig config{"127.0.0.1", 0};
  config.receive_buffer_bytes = 4096;
  UdpListener udp(io.io, config, handler, stats);
  udp.start();  // the io_context is not running: nothing drains the socket
  Client device(SOCK_DGRAM, udp.local_endpoint().port());
  for (int i = 0; i < 200; ++i) device.send("<13>" + std::string(1000, 'x'));

  auto listener = "127.0.0.1:" + std::to_string(udp.local_endpoint().port());
  EXPECT_GT(stats.value("tocsin_syslog_udp_kernel_drops_total", {{"listener", listener}}), 0);
  EXPECT_NE(stats.render_prometheus().find("# TYPE tocsin_syslog_udp_kernel_drops_total counter"), std::string::npos);
}

TEST_F(SyslogTransport, BindingABusyPortFailsAtStartWithTheAddress) {
  UdpListener first(io.io, {"127.0.0.1", 0}, handler, stats);
  first.start();
  auto port = first.local_endpoint().port();
  UdpListener second(io.io, {"127.0.0.1", port}, handler, stats);
  try {
    second.start();
    FAIL() << "second bind succeeded";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
  }
}

// ---- TCP ----

TEST_F(SyslogTransport, TcpSubmitsOctetCountedAndLineFramesWithThePeerAddress) {
  TcpListener tcp(io.io, tcp_config(), handler, stats);
  tcp.start();
  io.start();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send(octet_counted("<13>1 - host app - - - counted") + "<13>line\n" + octet_counted("<13>again"));

  ASSERT_TRUE(handler.wait_for_frames(3));
  EXPECT_EQ(handler.frames(), (std::vector<std::string>{"<13>1 - host app - - - counted", "<13>line", "<13>again"}));
  EXPECT_EQ(handler.peers(), std::vector<std::string>(3, "127.0.0.1"));
  EXPECT_EQ(stats.value("tocsin_syslog_received_total", {{"transport", "tcp"}}), 3);
}

TEST_F(SyslogTransport, TcpDeliversAnUnterminatedLastLineWhenThePeerCloses) {
  TcpListener tcp(io.io, tcp_config(), handler, stats);
  tcp.start();
  io.start();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send("<13>first\n<13>last");
  device.shutdown_write();

  ASSERT_TRUE(handler.wait_for_frames(2));
  EXPECT_EQ(handler.frames(), (std::vector<std::string>{"<13>first", "<13>last"}));
  EXPECT_TRUE(device.closed_by_server());
}

TEST_F(SyslogTransport, TcpIsNotReadAgainUntilTheBatchIsDurable) {
  TcpListener tcp(io.io, tcp_config(), handler, stats);
  tcp.start();
  io.start();
  handler.hold_durable();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send("<13>first\n");
  ASSERT_TRUE(handler.wait_for_batches(1));

  // While the first batch is not durable the listener reads nothing: the
  // socket buffers fill up and the sender is pushed back.
  std::string burst;
  const int burst_frames = 20'000;
  for (int i = 0; i < burst_frames; ++i) burst += octet_counted("<13>" + std::string(500, 'a' + i % 26));
  std::size_t sent = device.send_until_blocked(burst);
  ASSERT_LT(sent, burst.size()) << "the sender was never pushed back";
  EXPECT_EQ(handler.batch_sizes().size(), 1u);

  handler.release_durable(false);
  ASSERT_TRUE(handler.wait_for_batches(2));
  device.send(std::string_view(burst).substr(sent));
  ASSERT_TRUE(handler.wait_for_frames(1 + burst_frames));
  EXPECT_EQ(handler.frames().back(), "<13>" + std::string(500, 'a' + (burst_frames - 1) % 26));
}

TEST_F(SyslogTransport, ConnectionsOverTheLimitAreClosedAndCounted) {
  auto config = tcp_config();
  config.max_connections = 1;
  TcpListener tcp(io.io, config, handler, stats);
  tcp.start();
  io.start();
  auto port = tcp.local_endpoint().port();
  Client admitted(SOCK_STREAM, port);
  admitted.send("<13>admitted\n");
  ASSERT_TRUE(handler.wait_for_frames(1));

  Client extra(SOCK_STREAM, port);
  EXPECT_TRUE(extra.closed_by_server());
  EXPECT_EQ(stats.value("tocsin_syslog_connections_rejected_total", {{"reason", "max_connections"}}), 1);
  EXPECT_EQ(stats.value("tocsin_syslog_connections", {{"listener", "127.0.0.1:" + std::to_string(port)}}), 1);

  admitted.send("<13>still served\n");
  ASSERT_TRUE(handler.wait_for_frames(2));
}

TEST_F(SyslogTransport, IdleConnectionIsClosedAndCounted) {
  auto config = tcp_config();
  config.idle_timeout = 1s;
  TcpListener tcp(io.io, config, handler, stats);
  tcp.start();
  io.start();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send("<13>then silence\n");
  ASSERT_TRUE(handler.wait_for_frames(1));

  EXPECT_TRUE(device.closed_by_server());
  EXPECT_EQ(stats.value("tocsin_syslog_connections_closed_total", {{"reason", "idle_timeout"}}), 1);
}

TEST_F(SyslogTransport, TlsClientHelloOnThePlainPortClosesAsNotSyslog) {
  TcpListener tcp(io.io, tcp_config(), handler, stats);
  tcp.start();
  io.start();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send(std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11));

  EXPECT_TRUE(device.closed_by_server());
  EXPECT_EQ(stats.value("tocsin_syslog_rejected_total", {{"reason", "not_syslog"}}), 1);
  EXPECT_EQ(stats.value("tocsin_syslog_connections_closed_total", {{"reason", "framing_error"}}), 1);
  EXPECT_TRUE(handler.frames().empty());
}

TEST_F(SyslogTransport, StopClosesConnectionsEvenWhileABatchAwaitsDurability) {
  TcpListener tcp(io.io, tcp_config(), handler, stats);
  tcp.start();
  io.start();
  handler.hold_durable();
  Client device(SOCK_STREAM, tcp.local_endpoint().port());
  device.send("<13>pending\n");
  ASSERT_TRUE(handler.wait_for_batches(1));

  tcp.stop();
  EXPECT_TRUE(device.closed_by_server());
  handler.release_durable(false);  // late acknowledgement of a closed connection is harmless
}

// ---- TLS ----

// A throwaway self-signed certificate, made with the openssl CLI.
class TempCertificate {
 public:
  TempCertificate() {
    char tmpl[] = "/tmp/tocsin-tls-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
               " -subj /CN=localhost -keyout " + key() + " -out " + certificate() + " 2>/dev/null";
    ok_ = std::system(cmd.c_str()) == 0;
  }
  ~TempCertificate() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string certificate() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST_F(SyslogTransport, TlsRoundTripDeliversOctetCountedFrames) {
  TempCertificate cert;
  ASSERT_TRUE(cert.ok());
  auto config = tcp_config();
  config.tls = true;
  config.certificate_file = cert.certificate();
  config.key_file = cert.key();
  TcpListener tls(io.io, config, handler, stats);
  tls.start();
  io.start();

  asio::io_context client_io;
  asio::ssl::context client_tls(asio::ssl::context::tls_client);
  client_tls.load_verify_file(cert.certificate());
  client_tls.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> device(client_io, client_tls);
  device.lowest_layer().connect(tls.local_endpoint());
  device.handshake(asio::ssl::stream_base::client);
  asio::write(device, asio::buffer(octet_counted("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
                                                 "%% It's time to make the do-nuts.") +
                                   octet_counted("<13>second")));

  ASSERT_TRUE(handler.wait_for_frames(2));
  EXPECT_EQ(handler.frames()[0],
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
  EXPECT_EQ(handler.frames()[1], "<13>second");
  EXPECT_EQ(handler.peers()[0], "127.0.0.1");
  EXPECT_EQ(stats.value("tocsin_syslog_received_total", {{"transport", "tls"}}), 2);
}

TEST_F(SyslogTransport, PlainTextOnTheTlsPortFailsTheHandshakeAndIsCounted) {
  TempCertificate cert;
  ASSERT_TRUE(cert.ok());
  auto config = tcp_config();
  config.tls = true;
  config.certificate_file = cert.certificate();
  config.key_file = cert.key();
  TcpListener tls(io.io, config, handler, stats);
  tls.start();
  io.start();
  Client device(SOCK_STREAM, tls.local_endpoint().port());
  device.send("<13>plain text where TLS was expected\n");

  EXPECT_TRUE(device.closed_by_server());
  EXPECT_EQ(stats.value("tocsin_syslog_connections_rejected_total", {{"reason", "handshake"}}), 1);
  EXPECT_TRUE(handler.frames().empty());
}

TEST_F(SyslogTransport, MissingCertificateFailsAtStartNamingTheFile) {
  auto config = tcp_config();
  config.tls = true;
  config.certificate_file = "/nonexistent/syslog-cert.pem";
  config.key_file = "/nonexistent/syslog-key.pem";
  TcpListener tls(io.io, config, handler, stats);
  try {
    tls.start();
    FAIL() << "start succeeded without a certificate";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/syslog-cert.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tocsin::syslog
