// Sockets of the syslog collector. UDP drains the socket with recvmmsg() in
// batches after Asio reports it readable; TCP and TLS run one coroutine per
// connection on its own strand, framing with StreamFramer and waiting for the
// handler's `durable` before the next read.
#include "collectors/syslog/transport.hpp"

#include "collectors/syslog/framing.hpp"
#include "collectors/udp_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

namespace tocsin::syslog {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// ---- The transport's metrics, declared in one place. ----

Counter& received_total(StatsRegistry& s, std::string_view transport) {
  return s.counter("tocsin_syslog_received_total", "Syslog frames received, framing removed",
                   {{"transport", std::string(transport)}});
}

Counter& rejected_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_syslog_rejected_total", "Syslog frames or streams rejected, by reason",
                   {{"reason", std::string(reason)}});
}

Counter& dropped_total(StatsRegistry& s, std::string_view transport, std::string_view reason) {
  return s.counter("tocsin_syslog_dropped_total", "Syslog frames lost after they were received",
                   {{"transport", std::string(transport)}, {"reason", std::string(reason)}});
}

Counter& connections_rejected_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_syslog_connections_rejected_total", "Syslog TCP/TLS connections refused, by reason",
                   {{"reason", std::string(reason)}});
}

Counter& connections_closed_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_syslog_connections_closed_total", "Syslog TCP/TLS connections closed, by reason",
                   {{"reason", std::string(reason)}});
}

GaugeHandle kernel_drops_gauge(StatsRegistry& s, const std::string& listener, std::function<double()> read) {
  return s.gauge("tocsin_syslog_udp_kernel_drops_total",
                 "Datagrams the kernel dropped on the syslog UDP socket (receive buffer full)",
                 {{"listener", listener}}, std::move(read), true);
}

GaugeHandle connections_gauge(StatsRegistry& s, const std::string& listener, std::function<double()> read) {
  return s.gauge("tocsin_syslog_connections", "Open syslog TCP/TLS connections", {{"listener", listener}},
                 std::move(read));
}

// ---- Addresses. ----

asio::ip::address parse_address(const std::string& text, std::string_view listener) {
  error_code ec;
  auto address = asio::ip::make_address(text, ec);
  if (ec)
    throw std::system_error(ec, "syslog " + std::string(listener) + " listener: address '" + text +
                                    "' is not an IP address");
  return address;
}

template <class Endpoint>
std::string endpoint_label(const Endpoint& ep) {
  auto a = ep.address();
  auto host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(ep.port());
}

// IPv4 senders on a dual-stack socket are shown as plain IPv4 addresses.
std::string peer_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::shared_ptr<spdlog::logger> component_logger(const std::string& listener) {
  return spdlog::default_logger()->clone("syslog " + listener);
}

// Completion of a top-level coroutine: the data path never throws, so an
// exception here is a bug; it is logged and must not reach io_context::run().
auto log_escaped(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log->error("syslog listener task failed error={}", x.what());
    } catch (...) {
      log->error("syslog listener task failed error=unknown");
    }
  };
}

}  // namespace

// ============================== UDP ==============================

struct UdpListener::State {
  State(asio::io_context& io, const UdpListenerConfig& config, FrameHandler& handler, StatsRegistry& stats)
      : strand(asio::make_strand(io)),
        socket(strand),
        handler(handler),
        batch(config.max_datagram),
        received(received_total(stats, "udp")),
        too_long(rejected_total(stats, "too_long")),
        handler_failed(dropped_total(stats, "udp", "handler_error")) {}

  tocsin::udp::Drained drain() {
    return tocsin::udp::drain(socket, batch, [this](std::size_t n) { deliver(n); }, *log);
  }
  void deliver(std::size_t count);

  Strand strand;
  asio::ip::udp::socket socket;
  asio::ip::udp::endpoint local;
  FrameHandler& handler;
  tocsin::udp::DatagramBatch batch;
  std::vector<FrameView> frames;
  Counter& received;
  Counter& too_long;
  Counter& handler_failed;
  std::shared_ptr<spdlog::logger> log;
};

void UdpListener::State::deliver(std::size_t count) {
  frames.clear();
  std::size_t named = count;  // the datagram whose sender was formatted last
  for (std::size_t i = 0; i < count; ++i) {
    if (batch.truncated(i)) {
      too_long.inc();
      continue;
    }
    // A sender's datagrams come in runs: its address is formatted once a run.
    if (named == count || !tocsin::udp::same_address(batch.peers[i], batch.peers[named])) {
      tocsin::udp::peer_text(batch.peers[i], batch.peer_texts[i]);
      named = i;
    }
    frames.push_back({batch.payload(i), batch.peer_texts[named].data()});
  }
  if (frames.empty()) return;
  received.inc(frames.size());
  try {
    handler.offer(frames);
  } catch (const std::exception& e) {
    handler_failed.inc(frames.size());
    log->error("syslog frame handler failed error={}", e.what());
  }
}

namespace {

awaitable<void> receive_datagrams(std::shared_ptr<UdpListener::State> st) {
  using Drained = tocsin::udp::Drained;
  for (;;) {
    auto [ec] = co_await st->socket.async_wait(udp::socket::wait_read, nothrow);
    if (ec) co_return;  // closed by stop()
    // The reactor is edge-triggered: drain until EAGAIN before waiting again.
    Drained d;
    while ((d = st->drain()) == Drained::more) co_await asio::post(st->strand, asio::use_awaitable);
    if (d == Drained::closed) co_return;
  }
}


}  // namespace

UdpListener::UdpListener(asio::io_context& io, UdpListenerConfig config, FrameHandler& handler, StatsRegistry& stats)
    : io_(io), config_(std::move(config)), handler_(handler), stats_(stats) {}

UdpListener::~UdpListener() { stop(); }

void UdpListener::start() {
  udp::endpoint endpoint(parse_address(config_.address, "udp"), config_.port);
  auto st = std::make_shared<State>(io_, config_, handler_, stats_);
  error_code ec;
  st->socket.open(endpoint.protocol(), ec);
  if (!ec) st->socket.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "syslog udp listener: cannot bind " + endpoint_label(endpoint));
  st->socket.non_blocking(true, ec);
  st->local = st->socket.local_endpoint(ec);
  auto label = endpoint_label(st->local);
  st->log = component_logger("udp " + label);
  int fd = st->socket.native_handle();
  tocsin::udp::set_receive_buffer(fd, config_.receive_buffer_bytes, *st->log);
  // stop() removes the gauge before the socket is closed, so fd stays valid.
  kernel_drops_ = kernel_drops_gauge(stats_, label, [fd] { return tocsin::udp::kernel_drops(fd); });
  state_ = st;
  asio::co_spawn(st->strand, receive_datagrams(st), log_escaped(st->log));
}

void UdpListener::stop() {
  kernel_drops_ = {};
  if (!state_) return;
  asio::post(state_->strand, [st = state_] {
    error_code ignored;
    st->socket.close(ignored);
  });
  state_.reset();
}

udp::endpoint UdpListener::local_endpoint() const { return state_ ? state_->local : udp::endpoint{}; }

// ============================ TCP, TLS ============================

// What the listener's connections share; each connection keeps it alive.
struct TcpListener::State : std::enable_shared_from_this<TcpListener::State> {
  explicit State(asio::io_context& io) : io(io), strand(asio::make_strand(io)), acceptor(strand) {}

  void admit(tcp::socket socket);
  void shutdown();
  void forget(const void* connection);

  asio::io_context& io;
  Strand strand;
  tcp::acceptor acceptor;
  tcp::endpoint local;
  TcpListenerConfig config;
  FrameHandler* handler = nullptr;
  StatsRegistry* stats = nullptr;
  std::string transport;  // "tcp" or "tls", the metric label
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<asio::ssl::context> tls;
  std::atomic<int> open{0};
  bool stopped = false;  // on strand
  std::mutex mutex;
  std::map<const void*, std::function<void()>> closers;  // guarded by mutex
};

namespace {

bool is_end_of_stream(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

template <class Stream>
class StreamConnection final : public std::enable_shared_from_this<StreamConnection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  StreamConnection(std::shared_ptr<TcpListener::State> listener, Stream stream, std::string peer)
      : listener_(std::move(listener)),
        stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        durable_(stream_.get_executor(), 1),
        framer_(listener_->config.max_frame),
        buffer_(kReadBufferBytes),
        peer_(std::move(peer)),
        received_(received_total(*listener_->stats, listener_->transport)) {}

  void start() {
    auto self = this->shared_from_this();
    asio::co_spawn(stream_.get_executor(), run(self), log_escaped(listener_->log));
  }

  // Any thread: the listener stops.
  void close() {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      self->durable_.close();
      self->close_socket();
    });
  }

 private:
  awaitable<void> run(std::shared_ptr<StreamConnection> self) {
    asio::co_spawn(stream_.get_executor(), watchdog(self), asio::detached);
    try {
      if (co_await handshake()) co_await read_frames();
    } catch (const std::exception& e) {
      record_close("error");
      listener_->log->error("syslog connection failed peer={} error={}", peer_, e.what());
    }
    if (stopping_) record_close("stopped");
    closed_ = true;
    durable_.close();
    close_socket();
    timer_.cancel();
    listener_->forget(this);
  }

  awaitable<bool> handshake() {
    if constexpr (kTls) {
      handshaking_ = true;
      set_deadline(SteadyClock::now() + listener_->config.handshake_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, nothrow);
      handshaking_ = false;
      if (!ec) co_return true;
      if (!stopping_ && !timed_out_) {
        connections_rejected_total(*listener_->stats, "handshake").inc();
        listener_->log->debug("syslog tls handshake failed peer={} error={}", peer_, ec.message());
      }
      co_return false;
    }
    co_return true;
  }

  awaitable<void> read_frames() {
    for (;;) {
      set_deadline(SteadyClock::now() + listener_->config.idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer_), nothrow);
      if (ec) {
        co_await end_of_stream(ec);
        co_return;
      }
      framer_.feed({buffer_.data(), n});
      if (!co_await deliver()) co_return;
      if (framer_.fatal()) {
        record_close("framing_error");
        co_return;
      }
    }
  }

  // Whatever the peer sent before it went away is still delivered.
  awaitable<void> end_of_stream(const error_code& ec) {
    if (stopping_) co_return;
    record_close(is_end_of_stream(ec) ? "peer_closed" : "read_error");
    framer_.finish();
    co_await deliver();
  }

  // Hands the frames of one read to the handler and waits until they are
  // durable; false when the listener stopped meanwhile.
  awaitable<bool> deliver() {
    for (auto reason : framer_.rejections()) rejected_total(*listener_->stats, to_string(reason)).inc();
    auto frames = framer_.frames();
    bool ok = true;
    if (!frames.empty()) {
      views_.clear();
      for (auto f : frames) views_.push_back({f, peer_});
      received_.inc(views_.size());
      set_deadline(SteadyClock::time_point::max());  // our own backpressure is not the peer idling
      std::weak_ptr<StreamConnection> weak = this->shared_from_this();
      listener_->handler->submit(views_, [weak] {
        if (auto self = weak.lock()) self->durable_.try_send(error_code{});
      });
      auto [ec] = co_await durable_.async_receive(nothrow);
      ok = !ec;
    }
    framer_.clear();
    co_return ok;
  }

  // Closes the socket when the deadline passes; a pending read or handshake
  // then completes with an error and the connection ends. Counted first, so
  // the count is visible by the time the peer sees the close.
  awaitable<void> watchdog(std::shared_ptr<StreamConnection> self) {
    while (!closed_) {
      timer_.expires_at(deadline_);
      co_await timer_.async_wait(nothrow);
      if (closed_) co_return;
      if (deadline_ <= SteadyClock::now()) {
        timed_out_ = true;
        if (handshaking_)
          connections_rejected_total(*listener_->stats, "handshake_timeout").inc();
        else
          record_close("idle_timeout");
        close_socket();
        co_return;
      }
    }
  }

  void record_close(std::string_view reason) {
    if (close_recorded_) return;
    close_recorded_ = true;
    connections_closed_total(*listener_->stats, reason).inc();
  }

  void set_deadline(SteadyClock::time_point t) {
    bool earlier = t < deadline_;
    deadline_ = t;
    if (earlier) timer_.cancel();
  }

  void close_socket() {
    error_code ignored;
    stream_.lowest_layer().close(ignored);
  }

  std::shared_ptr<TcpListener::State> listener_;
  Stream stream_;
  asio::steady_timer timer_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  asio::experimental::concurrent_channel<void(error_code)> durable_;
  StreamFramer framer_;
  std::vector<char> buffer_;
  std::vector<FrameView> views_;
  std::string peer_;
  Counter& received_;
  bool handshaking_ = false;
  bool close_recorded_ = false;
  bool timed_out_ = false;
  bool stopping_ = false;
  bool closed_ = false;
};

std::unique_ptr<asio::ssl::context> make_tls_context(const TcpListenerConfig& c) {
  namespace ssl = asio::ssl;
  if (c.certificate_file.empty() || c.key_file.empty())
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "syslog tls listener: certificate_file and key_file are required");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  error_code ec;
  ctx->use_certificate_chain_file(c.certificate_file, ec);
  if (ec) throw std::system_error(ec, "syslog tls listener: cannot load certificate_file '" + c.certificate_file + "'");
  ctx->use_private_key_file(c.key_file, ssl::context::pem, ec);
  if (ec) throw std::system_error(ec, "syslog tls listener: cannot load key_file '" + c.key_file + "'");
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "syslog tls listener: key_file '" + c.key_file + "' does not match certificate_file '" +
                                c.certificate_file + "'");
  return ctx;
}

template <class Stream>
void spawn_connection(const std::shared_ptr<TcpListener::State>& st, Stream stream, std::string peer) {
  auto c = std::make_shared<StreamConnection<Stream>>(st, std::move(stream), std::move(peer));
  ++st->open;
  {
    std::lock_guard lock(st->mutex);
    st->closers.emplace(c.get(), [c] { c->close(); });
  }
  c->start();
}

}  // namespace

void TcpListener::State::admit(tcp::socket socket) {
  error_code ec;
  if (stopped) return;
  if (open.load() >= config.max_connections) {
    connections_rejected_total(*stats, "max_connections").inc();
    socket.close(ec);
    return;
  }
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone
  socket.set_option(tcp::socket::keep_alive(true), ec);
  auto peer = peer_text(remote.address());
  if (tls)
    spawn_connection(shared_from_this(), asio::ssl::stream<tcp::socket>(std::move(socket), *tls), std::move(peer));
  else
    spawn_connection(shared_from_this(), std::move(socket), std::move(peer));
}

void TcpListener::State::shutdown() {
  stopped = true;
  error_code ignored;
  acceptor.close(ignored);
  std::lock_guard lock(mutex);
  for (auto& [key, close] : closers) close();
}

void TcpListener::State::forget(const void* connection) {
  std::lock_guard lock(mutex);
  closers.erase(connection);
  --open;
}

namespace {

awaitable<void> accept_connections(std::shared_ptr<TcpListener::State> st) {
  asio::steady_timer retry(st->strand);
  for (;;) {
    tcp::socket socket(asio::make_strand(st->io));
    auto [ec] = co_await st->acceptor.async_accept(socket, nothrow);
    if (st->stopped || !st->acceptor.is_open()) co_return;
    if (!ec) {
      st->admit(std::move(socket));
      continue;
    }
    // Typically out of file descriptors: count, and give connections time to close.
    connections_rejected_total(*st->stats, "accept_error").inc();
    st->log->warn("syslog accept failed error={}", ec.message());
    retry.expires_after(kAcceptRetryDelay);
    co_await retry.async_wait(nothrow);
  }
}

}  // namespace

TcpListener::TcpListener(asio::io_context& io, TcpListenerConfig config, FrameHandler& handler, StatsRegistry& stats)
    : io_(io), config_(std::move(config)), handler_(handler), stats_(stats) {}

TcpListener::~TcpListener() { stop(); }

void TcpListener::start() {
  std::string_view transport = config_.tls ? "tls" : "tcp";
  tcp::endpoint endpoint(parse_address(config_.address, transport), config_.port);
  auto st = std::make_shared<State>(io_);
  st->config = config_;
  st->handler = &handler_;
  st->stats = &stats_;
  st->transport = transport;
  if (config_.tls) st->tls = make_tls_context(config_);
  error_code ec;
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) st->acceptor.bind(endpoint, ec);
  if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::system_error(ec, "syslog " + std::string(transport) + " listener: cannot listen on " +
                                    endpoint_label(endpoint));
  st->local = st->acceptor.local_endpoint(ec);
  auto label = endpoint_label(st->local);
  st->log = component_logger(std::string(transport) + " " + label);
  connections_ = connections_gauge(stats_, label, [st] { return static_cast<double>(st->open.load()); });
  state_ = st;
  asio::co_spawn(st->strand, accept_connections(st), log_escaped(st->log));
}

void TcpListener::stop() {
  connections_ = {};
  if (!state_) return;
  asio::post(state_->strand, [st = state_] { st->shutdown(); });
  state_.reset();
}

tcp::endpoint TcpListener::local_endpoint() const { return state_ ? state_->local : tcp::endpoint{}; }

}  // namespace tocsin::syslog
