#pragma once
// tocsind's wiring: builds every component from Settings, starts them in
// pipeline order (store → correlator → sinks → API → collectors), reloads on
// SIGHUP and stops in the reverse order on SIGTERM/SIGINT, committing
// everything already accepted.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <thread>
#include <vector>

#include "collectors/email/decoder.hpp"
#include "collectors/email/transport.hpp"
#include "collectors/http/ingest.hpp"
#include "collectors/mqtt/decoder.hpp"
#include "collectors/mqtt/transport.hpp"
#include "collectors/snmp/handler.hpp"
#include "collectors/snmp/transport.hpp"
#include "collectors/syslog/decoder.hpp"
#include "collectors/syslog/transport.hpp"
#include "correlator/clock.hpp"
#include "correlator/stats.hpp"
#include "daemon/cmdb_api.hpp"
#include "daemon/cmdb_catalog.hpp"
#include "daemon/http_server.hpp"
#include "daemon/oncall_api.hpp"
#include "daemon/people_api.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/settings.hpp"
#include "daemon/sms_routes.hpp"
#include "sinks/email/client.hpp"
#include "sinks/outbox.hpp"
#include "sinks/sms/client.hpp"
#include "sinks/webhook/client.hpp"

namespace tocsin {

class Daemon {
 public:
  explicit Daemon(Settings settings);
  ~Daemon();

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

 private:
  class PipelineBackend;

  void start();
  void stop();
  void reload();
  void wait_signals();
  void arm_watchdog(std::chrono::microseconds interval);

  Settings settings_;
  SystemClock clock_;
  StatsRegistry stats_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;

  std::unique_ptr<CmdbCatalog> catalog_;  // before pipeline_ and the routes that use it
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<OutboxWorker> outbox_;
  // Owned by outbox_, reconfigured on reload; null when the channel is off.
  webhook::WebhookSink* webhook_sink_ = nullptr;
  email::SmtpSink* smtp_sink_ = nullptr;
  sms::HttpSmsSink* sms_sink_ = nullptr;
  std::unique_ptr<PipelineBackend> backend_;
  std::unique_ptr<api::OncallDirectory> oncall_;  // directory of the config + API people, groups and overrides
  std::unique_ptr<api::OncallRoutes> oncall_routes_;  // before http_: its routes refer to it
  std::unique_ptr<api::PeopleRoutes> people_routes_;  // likewise
  std::unique_ptr<http_ingest::Ingest> http_ingest_;  // before http_: its routes refer to it
  std::unique_ptr<api::CmdbRoutes> cmdb_routes_;      // likewise
  std::unique_ptr<api::HttpServer> http_;
  std::unique_ptr<api::SmsRoutes> sms_routes_;  // after http_: it waits for its store reads first
  std::unique_ptr<syslog::Decoder> syslog_decoder_;
  std::vector<std::unique_ptr<syslog::UdpListener>> syslog_udp_;
  std::vector<std::unique_ptr<syslog::TcpListener>> syslog_tcp_;
  std::unique_ptr<mqtt::Decoder> mqtt_decoder_;
  std::unique_ptr<mqtt::Collector> mqtt_;
  std::unique_ptr<snmp::TrapHandler> snmp_handler_;
  std::vector<std::unique_ptr<snmp::UdpListener>> snmp_udp_;
  std::unique_ptr<email_in::Decoder> email_decoder_;
  std::unique_ptr<email_in::SmtpListener> email_listener_;
  std::vector<std::thread> threads_;
  GaugeHandle up_since_;
};

// Applies the log level and pattern to every component logger.
void configure_logging(const std::string& level);

}  // namespace tocsin
