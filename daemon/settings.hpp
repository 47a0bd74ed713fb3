#pragma once
// The whole configuration of tocsind: one YAML file checked against the schema
// tables of every component. Loading builds a complete new Settings beside the
// running one; the daemon swaps only a valid one in (start-up and SIGHUP).

#include <optional>
#include <string>
#include <vector>

#include "collectors/email/config.hpp"
#include "collectors/http/config.hpp"
#include "collectors/mqtt/config.hpp"
#include "collectors/snmp/config.hpp"
#include "collectors/syslog/decoder.hpp"
#include "collectors/syslog/transport.hpp"
#include "config/schema.hpp"
#include "correlator/correlator.hpp"
#include "daemon/http_server.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/sms_settings.hpp"
#include "daemon/webhook_settings.hpp"
#include "sinks/email/config.hpp"
#include "sinks/outbox.hpp"

namespace tocsin {

struct Settings {
  std::string file;
  std::string log_level = "info";
  std::string store_path = "./var/tocsin.db";
  std::int64_t repeat_flush_ms = 1000;
  int store_cache_kib = 8 * 1024;  // SQLite page cache per connection
  PipelineConfig pipeline;
  api::HttpServerConfig api;
  std::vector<syslog::UdpListenerConfig> syslog_udp;
  std::vector<syslog::TcpListenerConfig> syslog_tcp;
  syslog::DecoderConfig syslog;
  http_ingest::HttpCollectorConfig http;
  mqtt::MqttConfig mqtt;
  snmp::Config snmp;
  email_in::EmailInConfig email_in;
  CorrelatorConfig correlator;
  OutboxConfig outbox;
  bool email_enabled = false;
  email::SmtpConfig smtp;
  SmsSettings sms;
  WebhookSettings webhook;
};

// Reads and checks `path`. Every problem is added to `errors` as
// "file:line: key.path: message"; returns nothing when there is any.
std::optional<Settings> load_settings(const std::string& path, config::Errors& errors);

// The schema of every section, in file order: the reference documentation.
std::vector<const config::Section*> all_sections();

}  // namespace tocsin
