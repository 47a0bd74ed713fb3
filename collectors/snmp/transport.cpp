// The SNMP UDP socket: recvmmsg() batches on a strand; REPORTs go back at
// once, INFORM responses from the pipeline's durable callback, posted back to
// the strand so that the socket is only used there.
#include "collectors/snmp/transport.hpp"

#include "collectors/udp_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace tocsin::snmp {

namespace asio = boost::asio;
using asio::ip::udp;
using boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;

namespace {

constexpr std::size_t kMaxDatagram = 65536;

struct Peer {
  sockaddr_storage address{};
  socklen_t length = 0;
};

struct Response {
  Peer peer;
  std::string bytes;
};

std::string endpoint_label(const udp::endpoint& ep) {
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace

struct UdpListener::State : std::enable_shared_from_this<UdpListener::State> {
  State(asio::io_context& io, TrapHandler& handler, EventSink& sink, std::size_t max_in_flight)
      : strand(asio::make_strand(io)), socket(strand), handler(handler), sink(sink), max_in_flight(max_in_flight) {}

  tocsin::udp::Drained drain() {
    return tocsin::udp::drain(socket, batch, [this](std::size_t n) { deliver(n); }, *log);
  }
  void deliver(std::size_t count);
  void handle_one(std::size_t i);
  void hand_over();
  void send(const Peer& to, const std::string& bytes);
  void answer(std::vector<Response> responses);

  Strand strand;
  udp::socket socket;
  udp::endpoint local;
  TrapHandler& handler;
  EventSink& sink;
  std::size_t max_in_flight;
  std::atomic<std::size_t> in_flight{0};
  tocsin::udp::DatagramBatch batch{kMaxDatagram};
  std::array<char, INET6_ADDRSTRLEN> peer_buf{};
  std::vector<Event> traps;
  std::vector<Event> informs;
  std::vector<Response> responses;
  std::shared_ptr<spdlog::logger> log;
};

void UdpListener::State::deliver(std::size_t count) {
  traps.clear();
  informs.clear();
  responses.clear();
  for (std::size_t i = 0; i < count; ++i) {
    try {
      handle_one(i);
    } catch (const std::exception& e) {
      handler.dropped("handler_error").inc();
      log->error("snmp handler failed error={}", e.what());
    }
  }
  hand_over();
}

void UdpListener::State::handle_one(std::size_t i) {
  const auto& h = batch.headers[i];
  tocsin::udp::peer_text(batch.peers[i], peer_buf);
  Datagram d{batch.payload(i),
             peer_buf.data(),
             reinterpret_cast<const sockaddr*>(&batch.peers[i]),
             h.msg_hdr.msg_namelen,
             (h.msg_hdr.msg_flags & MSG_TRUNC) != 0};
  Handled out = handler.handle(d);
  Peer peer{batch.peers[i], h.msg_hdr.msg_namelen};
  if (!out.reply.empty()) send(peer, out.reply);
  if (!out.event) {
    if (!out.response.empty()) send(peer, out.response);
    return;
  }
  if (!out.inform) {
    traps.push_back(std::move(*out.event));
    return;
  }
  // Unanswered, the sender retries: that is the backpressure of informs.
  if (in_flight.load() + informs.size() >= max_in_flight) {
    handler.dropped("informs_in_flight").inc();
    return;
  }
  informs.push_back(std::move(*out.event));
  responses.push_back({peer, std::move(out.response)});
}

void UdpListener::State::hand_over() {
  if (!traps.empty()) {
    std::size_t total = traps.size();
    std::size_t taken = sink.offer(traps);
    if (taken < total) handler.dropped("queue_full").inc(total - taken);
  }
  if (informs.empty()) return;
  in_flight += informs.size();
  std::weak_ptr<State> weak = shared_from_this();
  sink.submit(std::move(informs), [weak, pending = std::move(responses)]() mutable {
    if (auto self = weak.lock())
      asio::post(self->strand, [self, pending = std::move(pending)]() mutable { self->answer(std::move(pending)); });
  });
  informs = {};
  responses = {};
}

void UdpListener::State::answer(std::vector<Response> pending) {
  in_flight -= pending.size();
  for (const auto& r : pending) {
    if (r.bytes.empty()) continue;
    handler.inform_responses().inc();
    send(r.peer, r.bytes);
  }
}

void UdpListener::State::send(const Peer& to, const std::string& bytes) {
  if (!socket.is_open()) return;
  if (sendto(socket.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&to.address), to.length) < 0)
    log->debug("snmp udp send failed error={}", std::strerror(errno));
}

namespace {

asio::awaitable<void> receive_datagrams(std::shared_ptr<UdpListener::State> st) {
  using Drained = tocsin::udp::Drained;
  constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
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

UdpListener::UdpListener(asio::io_context& io, ListenerConfig config, TrapHandler& handler, EventSink& sink,
                         StatsRegistry& stats, std::size_t max_informs_in_flight)
    : io_(io),
      config_(std::move(config)),
      handler_(handler),
      sink_(sink),
      stats_(stats),
      max_informs_in_flight_(max_informs_in_flight) {}

UdpListener::~UdpListener() { stop(); }

void UdpListener::start() {
  error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  if (ec) throw std::system_error(ec, "snmp udp listener: address '" + config_.address + "' is not an IP address");
  udp::endpoint endpoint(address, config_.port);
  auto st = std::make_shared<State>(io_, handler_, sink_, max_informs_in_flight_);
  st->socket.open(endpoint.protocol(), ec);
  if (!ec) st->socket.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "snmp udp listener: cannot bind " + endpoint_label(endpoint));
  st->socket.non_blocking(true, ec);
  st->local = st->socket.local_endpoint(ec);
  auto label = endpoint_label(st->local);
  st->log = spdlog::default_logger()->clone("snmp udp " + label);
  int fd = st->socket.native_handle();
  tocsin::udp::set_receive_buffer(fd, config_.receive_buffer_bytes, *st->log);
  // stop() removes the gauge before the socket is closed, so fd stays valid.
  kernel_drops_ = stats_.gauge("tocsin_snmp_udp_kernel_drops_total",
                               "Datagrams the kernel dropped on the SNMP UDP socket (receive buffer full)",
                               {{"listener", label}}, [fd] { return tocsin::udp::kernel_drops(fd); }, true);
  state_ = st;
  asio::co_spawn(st->strand, receive_datagrams(st), [log = st->log](std::exception_ptr e) {
    if (e) log->error("snmp listener task failed");
  });
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

}  // namespace tocsin::snmp
