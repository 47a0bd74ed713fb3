#pragma once
// The e-mail collector's Asio shell: an SMTP listener (C++20 coroutines, one
// strand per connection) that runs the pure Session over a socket, reads DATA
// with DataReader and hands each message to a MailHandler. The reply to DATA
// waits for the handler, which gives 250 only once the event is durable;
// meanwhile the connection reads nothing more (backpressure). STARTTLS uses
// the configured certificate and key.
//
// start() is the start-up plane: it binds synchronously and throws
// std::system_error naming the address or file on failure. Everything after
// it is the data path: errors are counted, never thrown. The handler and the
// stats registry must outlive the io_context's processing of the listener.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

#include "collectors/email/config.hpp"
#include "collectors/email/decoder.hpp"
#include "correlator/stats.hpp"

namespace tocsin::email_in {

class SmtpListener {
 public:
  SmtpListener(boost::asio::io_context& io, ListenerConfig config, MailHandler& handler, StatsRegistry& stats);
  ~SmtpListener();
  SmtpListener(const SmtpListener&) = delete;
  SmtpListener& operator=(const SmtpListener&) = delete;

  void start();
  // Posted: closes the listener and every connection; a message waiting for
  // its commit gets no reply (the client retries it).
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct State;

 private:
  boost::asio::io_context& io_;
  ListenerConfig config_;
  MailHandler& handler_;
  StatsRegistry& stats_;
  std::shared_ptr<State> state_;
  GaugeHandle connections_;
};

}  // namespace tocsin::email_in
