#pragma once
// The SNMP collector's Asio shell: a UDP listener that drains its socket with
// recvmmsg() in batches, hands each datagram to the TrapHandler, offers traps
// to the pipeline (lossy, every drop counted, kernel drops included) and
// submits informs, sending each INFORM response only once its event is
// durable. Never parses.
//
// start() binds synchronously and throws std::system_error naming the address
// on failure; after it, errors are counted, never thrown. The handler, sink
// and stats registry must outlive the io_context's processing of the listener.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <cstddef>
#include <memory>

#include "collectors/snmp/config.hpp"
#include "collectors/snmp/handler.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/stats.hpp"

namespace tocsin::snmp {

class UdpListener {
 public:
  UdpListener(boost::asio::io_context& io, ListenerConfig config, TrapHandler& handler, EventSink& sink,
              StatsRegistry& stats, std::size_t max_informs_in_flight = 1024);
  ~UdpListener();
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  void start();
  void stop();
  boost::asio::ip::udp::endpoint local_endpoint() const;

  struct State;

 private:
  boost::asio::io_context& io_;
  ListenerConfig config_;
  TrapHandler& handler_;
  EventSink& sink_;
  StatsRegistry& stats_;
  std::size_t max_informs_in_flight_;
  std::shared_ptr<State> state_;
  GaugeHandle kernel_drops_;
};

}  // namespace tocsin::snmp
