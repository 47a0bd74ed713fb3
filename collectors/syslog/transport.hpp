#pragma once
// The syslog collector's Asio shell: UDP (RFC 5426), TCP (RFC 6587) and TLS
// (RFC 5425) listeners that hand frames to a FrameHandler and never parse.
// UDP frames are offered (lossy, every drop counted, kernel drops included);
// TCP and TLS frames are submitted and the connection is not read again until
// the batch is durable, so the peer's window is the backpressure.
//
// start() is the start-up plane: it binds synchronously and throws
// std::system_error naming the address or file on failure. Everything after
// it is the data path: errors are counted, never thrown. The handler and the
// stats registry must outlive the io_context's processing of the listener.

#include "collectors/frame_handler.hpp"
#include "correlator/stats.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tocsin::syslog {

struct UdpListenerConfig {
  std::string address;  // IP literal, e.g. "0.0.0.0", "::", "127.0.0.1"
  std::uint16_t port = 0;
  int receive_buffer_bytes = 8 * 1024 * 1024;
  std::size_t max_datagram = 64 * 1024;
};

struct TcpListenerConfig {
  std::string address;  // IP literal
  std::uint16_t port = 0;
  std::size_t max_frame = 64 * 1024;
  int max_connections = 1000;
  std::chrono::seconds idle_timeout{300};
  bool tls = false;
  std::string certificate_file;  // PEM, certificate chain
  std::string key_file;          // PEM, private key
  std::chrono::seconds handshake_timeout{10};
};

class UdpListener {
 public:
  UdpListener(boost::asio::io_context& io, UdpListenerConfig config, FrameHandler& handler, StatsRegistry& stats);
  ~UdpListener();
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  void start();
  void stop();
  boost::asio::ip::udp::endpoint local_endpoint() const;

  struct State;

 private:
  boost::asio::io_context& io_;
  UdpListenerConfig config_;
  FrameHandler& handler_;
  StatsRegistry& stats_;
  std::shared_ptr<State> state_;
  GaugeHandle kernel_drops_;
};

class TcpListener {
 public:
  TcpListener(boost::asio::io_context& io, TcpListenerConfig config, FrameHandler& handler, StatsRegistry& stats);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  void start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct State;

 private:
  boost::asio::io_context& io_;
  TcpListenerConfig config_;
  FrameHandler& handler_;
  StatsRegistry& stats_;
  std::shared_ptr<State> state_;
  GaugeHandle connections_;
};

}  // namespace tocsin::syslog
