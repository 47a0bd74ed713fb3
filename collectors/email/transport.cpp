// Sockets of the e-mail collector: an accept loop and one coroutine per SMTP
// connection. Replies to pipelined commands are gathered and written when the
// input holds no further complete command (RFC 2920); bytes after DATA are
// never read as commands; input buffered before STARTTLS is discarded (RFC
// 3207 §4.2, the command-injection flaw of CVE-2011-0411).
#include "collectors/email/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>

#include "collectors/email/metrics.hpp"
#include "collectors/email/session.hpp"

namespace tocsin::email_in {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

std::string peer_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string endpoint_label(const tcp::endpoint& ep) {
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

auto log_escaped(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log->error("smtp task failed error={}", x.what());
    } catch (...) {
      log->error("smtp task failed error=unknown");
    }
  };
}

std::unique_ptr<asio::ssl::context> make_tls_context(const ListenerConfig& c) {
  namespace ssl = asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  ctx->use_certificate_chain_file(c.certificate_file, ec);
  if (ec) throw std::system_error(ec, "smtp listener: cannot load certificate '" + c.certificate_file + "'");
  ctx->use_private_key_file(c.key_file, ssl::context::pem, ec);
  if (ec) throw std::system_error(ec, "smtp listener: cannot load key '" + c.key_file + "'");
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "smtp listener: key '" + c.key_file + "' does not match certificate '" +
                                c.certificate_file + "'");
  return ctx;
}

}  // namespace

// What the listener's connections share; each connection keeps it alive.
struct SmtpListener::State : std::enable_shared_from_this<SmtpListener::State> {
  explicit State(asio::io_context& io) : io(io), acceptor(asio::make_strand(io)) {}

  void admit(tcp::socket socket);
  void shutdown();
  void forget(const void* connection);

  asio::io_context& io;
  tcp::acceptor acceptor;
  tcp::endpoint local;
  ListenerConfig config;
  SessionConfig session;
  MailHandler* handler = nullptr;
  StatsRegistry* stats = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<asio::ssl::context> tls;
  std::atomic<int> open{0};
  std::atomic<bool> stopped{false};
  std::mutex mutex;
  std::map<const void*, std::function<void()>> closers;  // guarded by mutex
};

namespace {

class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<SmtpListener::State> listener, tcp::socket socket, std::string peer)
      : listener_(std::move(listener)),
        stats_(*listener_->stats),
        tcp_(std::move(socket)),
        reply_(tcp_.get_executor(), 1),
        session_(listener_->session),
        peer_(std::move(peer)) {}

  void start() { asio::co_spawn(tcp_.get_executor(), run(shared_from_this()), log_escaped(listener_->log)); }

  // Any thread: the listener stops.
  void close() {
    asio::post(tcp_.get_executor(), [self = shared_from_this()] {
      self->reply_.close();
      self->tcp_.close();
    });
  }

 private:
  struct Line {
    std::string text;
    bool too_long = false;
  };

  awaitable<void> run(std::shared_ptr<Connection> self) {
    try {
      co_await converse();
    } catch (const std::exception& e) {
      listener_->log->error("smtp connection failed peer={} error={}", peer_, e.what());
    }
    reply_.close();
    tcp_.close();
    listener_->forget(this);
  }

  awaitable<void> converse() {
    out_ = render(session_.greeting());
    for (;;) {
      auto line = take_line();
      if (!line) {
        if (!co_await flush() || !co_await fill(listener_->config.command_timeout)) co_return;
        continue;
      }
      Step step = line->too_long ? session_.on_line_too_long() : session_.on_line(line->text);
      if (!step.rejected.empty()) rejected_total(stats_, step.rejected).inc();
      out_ += render(step.reply);
      if (step.after == After::next_command) continue;
      if (!co_await flush() || step.after == After::close) co_return;
      if (step.after == After::start_tls && !co_await start_tls()) co_return;
      if (step.after == After::read_data && !co_await read_data()) co_return;
    }
  }

  // The next complete command line in the input; a line beyond the limit is
  // discarded as it arrives and reported once its end is seen.
  std::optional<Line> take_line() {
    const std::size_t max = listener_->session.limits.max_command_line;
    auto nl = in_.find('\n');
    if (nl == std::string::npos) {
      if (in_.size() > max) {
        discarding_ = true;
        in_.clear();
      }
      return std::nullopt;
    }
    Line line{in_.substr(0, nl), discarding_ || nl + 1 > max};
    in_.erase(0, nl + 1);
    discarding_ = false;
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    return line;
  }

  awaitable<bool> read_data() {
    DataReader reader(listener_->session.limits);
    auto deadline = SteadyClock::now() + listener_->config.data_timeout;
    in_.erase(0, reader.feed(in_));
    while (!reader.complete()) {
      auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - SteadyClock::now());
      if (left.count() <= 0 || !co_await fill(left)) {
        if (left.count() <= 0) rejected_total(stats_, "timeout").inc();
        co_return false;
      }
      in_.erase(0, reader.feed(in_));
    }
    Reply reply;
    if (reader.problem() != DataProblem::none) {
      messages_total(stats_, "received").inc();
      rejected_total(stats_, to_string(reader.problem())).inc();
      reply = refusal(reader.problem());
    } else {
      auto delivered = co_await deliver(std::move(reader.message()));
      if (!delivered) co_return false;
      reply = std::move(*delivered);
    }
    session_.end_transaction();
    out_ += render(reply);
    co_return true;
  }

  // Hands the message over and waits for the handler's reply (after the
  // commit); nothing when the listener stopped meanwhile.
  awaitable<std::optional<Reply>> deliver(std::string message) {
    std::weak_ptr<Connection> weak = shared_from_this();
    listener_->handler->submit(session_.envelope(), peer_, std::move(message), [weak](Reply r) {
      if (auto self = weak.lock()) self->reply_.try_send(error_code{}, std::move(r));
    });
    auto [ec, reply] = co_await reply_.async_receive(nothrow);
    if (ec) co_return std::nullopt;
    co_return reply;
  }

  awaitable<bool> start_tls() {
    in_.clear();
    tls_ = std::make_unique<asio::ssl::stream<beast::tcp_stream&>>(tcp_, *listener_->tls);
    tcp_.expires_after(listener_->config.command_timeout);
    auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, nothrow);
    if (ec) {
      rejected_total(stats_, "tls_handshake").inc();
      listener_->log->debug("smtp tls handshake failed peer={} error={}", peer_, ec.message());
      co_return false;
    }
    session_.on_tls_started();
    co_return true;
  }

  awaitable<bool> fill(std::chrono::seconds timeout) {
    tcp_.expires_after(timeout);
    auto buffer = asio::buffer(chunk_.data(), chunk_.size());
    auto [ec, n] = tls_ ? co_await tls_->async_read_some(buffer, nothrow) : co_await tcp_.async_read_some(buffer, nothrow);
    if (ec == beast::error::timeout) rejected_total(stats_, "timeout").inc();
    if (ec) co_return false;
    in_.append(chunk_.data(), n);
    co_return true;
  }

  awaitable<bool> flush() {
    if (out_.empty()) co_return true;
    tcp_.expires_after(listener_->config.command_timeout);
    auto buffer = asio::buffer(out_);
    auto [ec, n] = tls_ ? co_await asio::async_write(*tls_, buffer, nothrow)
                        : co_await asio::async_write(tcp_, buffer, nothrow);
    out_.clear();
    co_return !ec;
  }

  std::shared_ptr<SmtpListener::State> listener_;
  StatsRegistry& stats_;
  beast::tcp_stream tcp_;
  std::unique_ptr<asio::ssl::stream<beast::tcp_stream&>> tls_;
  asio::experimental::concurrent_channel<void(error_code, Reply)> reply_;
  Session session_;
  std::string peer_;
  std::string in_;
  std::string out_;
  std::array<char, kReadChunk> chunk_{};
  bool discarding_ = false;
};

awaitable<void> accept_connections(std::shared_ptr<SmtpListener::State> st) {
  asio::steady_timer retry(st->acceptor.get_executor());
  for (;;) {
    tcp::socket socket(asio::make_strand(st->io));
    auto [ec] = co_await st->acceptor.async_accept(socket, nothrow);
    if (st->stopped || !st->acceptor.is_open()) co_return;
    if (!ec) {
      st->admit(std::move(socket));
      continue;
    }
    // Typically out of file descriptors: give connections time to close.
    st->log->warn("smtp accept failed error={}", ec.message());
    retry.expires_after(kAcceptRetryDelay);
    co_await retry.async_wait(nothrow);
  }
}

}  // namespace

void SmtpListener::State::admit(tcp::socket socket) {
  error_code ec;
  if (open.load() >= config.max_connections) {
    rejected_total(*stats, "max_connections").inc();
    // RFC 5321 §3.1: a busy server may answer 421 instead of the greeting.
    static constexpr std::string_view busy = "421 4.7.0 Too many connections, try again later\r\n";
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(busy), ec);
    socket.close(ec);
    return;
  }
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone
  connections_total(*stats).inc();
  auto c = std::make_shared<Connection>(shared_from_this(), std::move(socket), peer_text(remote.address()));
  ++open;
  {
    std::lock_guard lock(mutex);
    closers.emplace(c.get(), [weak = std::weak_ptr<Connection>(c)] {
      if (auto c = weak.lock()) c->close();
    });
  }
  c->start();
}

void SmtpListener::State::shutdown() {
  stopped = true;
  error_code ignored;
  acceptor.close(ignored);
  std::lock_guard lock(mutex);
  for (auto& [key, close] : closers) close();
}

void SmtpListener::State::forget(const void* connection) {
  std::lock_guard lock(mutex);
  closers.erase(connection);
  --open;
}

SmtpListener::SmtpListener(asio::io_context& io, ListenerConfig config, MailHandler& handler, StatsRegistry& stats)
    : io_(io), config_(std::move(config)), handler_(handler), stats_(stats) {
  register_email_metrics(stats_);
}

SmtpListener::~SmtpListener() { stop(); }

void SmtpListener::start() {
  error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  if (ec) throw std::system_error(ec, "smtp listener: address '" + config_.address + "' is not an IP address");
  tcp::endpoint endpoint(address, config_.port);
  auto st = std::make_shared<State>(io_);
  st->config = config_;
  st->handler = &handler_;
  st->stats = &stats_;
  if (!config_.certificate_file.empty() && !config_.key_file.empty()) st->tls = make_tls_context(config_);
  st->session.hostname = config_.hostname;
  st->session.limits = config_.limits;
  st->session.tls_available = st->tls != nullptr;
  for (auto d : config_.accepted_domains) {
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
    st->session.accepted_domains.push_back(std::move(d));
  }
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) st->acceptor.bind(endpoint, ec);
  if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "smtp listener: cannot listen on " + endpoint_label(endpoint));
  st->local = st->acceptor.local_endpoint(ec);
  st->log = spdlog::default_logger()->clone("email " + endpoint_label(st->local));
  connections_ = stats_.gauge("tocsin_email_connections", "Open SMTP connections", {{"listener", endpoint_label(st->local)}},
                              [st] { return static_cast<double>(st->open.load()); });
  state_ = st;
  asio::co_spawn(st->acceptor.get_executor(), accept_connections(st), log_escaped(st->log));
}

void SmtpListener::stop() {
  connections_ = {};
  if (!state_) return;
  asio::post(state_->acceptor.get_executor(), [st = state_] { st->shutdown(); });
  state_.reset();
}

tcp::endpoint SmtpListener::local_endpoint() const { return state_ ? state_->local : tcp::endpoint{}; }

}  // namespace tocsin::email_in
