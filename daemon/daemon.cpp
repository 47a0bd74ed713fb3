// Start-up, reload and shutdown of tocsind.
#include "daemon/daemon.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <future>

#include "collectors/http/routes.hpp"
#include "daemon/version.hpp"
#include "sinks/email/client.hpp"
#include "sinks/sms/client.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {

namespace {
constexpr const char* component_loggers[] = {"tocsind", "pipeline", "syslog", "http", "outbox", "email", "store", "mqtt"};

std::shared_ptr<spdlog::logger> log() { return spdlog::get("tocsind"); }

// Identities of the latest MQTT messages stored, so that a broker redelivering
// what was committed just before a crash (its PUBACK not yet sent) is
// recognized. Reads the events table until the Store interface offers this.
}  // namespace

void configure_logging(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  for (const char* name : component_loggers) {
    if (!spdlog::get(name)) spdlog::register_logger(std::make_shared<spdlog::logger>(name, sink));
  }
  spdlog::set_default_logger(spdlog::get("tocsind"));
  // Under systemd the journal stamps time itself; elsewhere a timestamp helps.
  spdlog::set_pattern(std::getenv("JOURNAL_STREAM") ? "%^%l%$ [%n] %v" : "%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

class Daemon::PipelineBackend final : public api::ApiBackend {
 public:
  explicit PipelineBackend(Pipeline& pipeline) : pipeline_(pipeline) {}
  void act(IncidentAction action, ActionDone done) override { pipeline_.act(std::move(action), std::move(done)); }
  void suppress(suppression::Request request, std::function<void(suppression::Result)> done) override {
    pipeline_.suppress(std::move(request), std::move(done));
  }
  bool ready() const override { return pipeline_.ready(); }

 private:
  Pipeline& pipeline_;
};

Daemon::Daemon(Settings settings)
    : settings_(std::move(settings)), signals_(io_, SIGTERM, SIGINT, SIGHUP), watchdog_(io_) {}

Daemon::~Daemon() {
  // No directory change reaches the members below once they start to go.
  if (oncall_) oncall_->on_change({});
}

void Daemon::start() {
  const Settings& s = settings_;
  std::string store_path = s.store_path;
  SqliteOptions store_options;
  store_options.cache_kib = s.store_cache_kib;
  auto open_store = [store_path, store_options] { return std::make_unique<SqliteStore>(store_path, store_options); };

  // The CMDB the correlator starts with: the files and the CIs changed
  // through the API on top.
  catalog_ = std::make_unique<CmdbCatalog>(open_store(), clock_, stats_);
  settings_.correlator.cmdb = catalog_->start(s.correlator.cmdb);
  // People and groups changed through the API are laid over the configured
  // directory, and the overrides added through the API merged in.
  {
    auto store = open_store();
    oncall_ = std::make_unique<api::OncallDirectory>(
        std::dynamic_pointer_cast<const oncall::Snapshot>(s.correlator.oncall), store->overrides(),
        api::overlay_of(store->oncall_entries()), &clock_);
  }
  CorrelatorConfig correlator = s.correlator;
  correlator.oncall = oncall_->current();
  // The pipeline's commits are the daemon's writes: their WAL is checkpointed
  // off the writer thread.
  SqliteOptions writer_options = store_options;
  writer_options.background_checkpoint = true;
  // Under load, repeat counters are journaled and reach their rows (what the
  // API shows) within a second; the pipeline flushes them on its tick.
  writer_options.repeat_flush_ms = s.repeat_flush_ms;
  writer_options.stats = &stats_;
  pipeline_ = std::make_unique<Pipeline>(s.pipeline, std::make_unique<SqliteStore>(store_path, writer_options),
                                         std::move(correlator), clock_, stats_);
  catalog_->on_publish(
      [this](std::shared_ptr<const cmdb::Cmdb> snapshot) { pipeline_->set_cmdb(std::move(snapshot)); });
  // Each change (an override, a person or group through the API) reaches the
  // correlator and the reply channels, which match senders by address.
  oncall_->on_change([this](api::OncallDirectory::Snapshot d) {
    if (sms_routes_) sms_routes_->set_directory(d);
    if (email_decoder_) email_decoder_->set_directory(d);
    pipeline_->set_oncall(std::move(d));
  });
  pipeline_->start();
  if (s.correlator.cmdb) log()->info("CMDB loaded: {} CIs", s.correlator.cmdb->size());

  std::vector<std::unique_ptr<Sink>> sinks;
  if (s.email_enabled) {
    auto smtp = std::make_unique<email::SmtpSink>(s.smtp, clock_);
    smtp_sink_ = smtp.get();
    sinks.push_back(std::move(smtp));
  }
  if (s.sms.enabled) {
    auto sms = std::make_unique<sms::HttpSmsSink>(s.sms.config);
    sms_sink_ = sms.get();
    sinks.push_back(std::move(sms));
  }
  // Always there: a reload may enable webhooks, and POSTs committed before a
  // restart are delivered (or refused) whatever the configuration says now.
  auto webhooks = std::make_unique<webhook::WebhookSink>(s.webhook.sink, stats_);
  webhook_sink_ = webhooks.get();
  sinks.push_back(std::move(webhooks));
  outbox_ = std::make_unique<OutboxWorker>(s.outbox, open_store, std::move(sinks), clock_, stats_);
  // Quiet hours count in the paged person's zone, from the directory in force.
  outbox_->set_person_zone([this](const std::string& id) {
    auto directory = oncall_->current();
    const oncall::Person* person = directory ? directory->person(id) : nullptr;
    return person ? person->time_zone : std::string();
  });
  pipeline_->on_notifications([this] { outbox_->wake(); });
  outbox_->start();

  backend_ = std::make_unique<PipelineBackend>(*pipeline_);
  http_ = std::make_unique<api::HttpServer>(io_, s.api, *backend_, open_store, stats_);
  http_ingest_ = std::make_unique<http_ingest::Ingest>(s.http, *pipeline_, stats_, clock_);
  http_ingest::add_routes(http_->router(), *http_ingest_);
  cmdb_routes_ = std::make_unique<api::CmdbRoutes>(http_->router(), *catalog_);
  if (s.sms.enabled && !s.sms.config.gateway.callback_token.empty())
    sms_routes_ = std::make_unique<api::SmsRoutes>(http_->router(), *backend_, open_store,
                                                   s.sms.config.gateway.callback_token, oncall_->current(), stats_,
                                                   clock_);
  oncall_routes_ = std::make_unique<api::OncallRoutes>(http_->router(), *oncall_, open_store, clock_, stats_);
  people_routes_ = std::make_unique<api::PeopleRoutes>(http_->router(), *oncall_, open_store, clock_, stats_);
  http_->start();
  log()->info("HTTP API listening on {}:{}", s.api.address, http_->local_endpoint().port());

  syslog_decoder_ = std::make_unique<syslog::Decoder>(s.syslog, *pipeline_, stats_, clock_);
  for (const auto& c : s.syslog_udp) {
    auto l = std::make_unique<syslog::UdpListener>(io_, c, *syslog_decoder_, stats_);
    l->start();
    log()->info("syslog listening on udp {}:{}", c.address, l->local_endpoint().port());
    syslog_udp_.push_back(std::move(l));
  }
  for (const auto& c : s.syslog_tcp) {
    auto l = std::make_unique<syslog::TcpListener>(io_, c, *syslog_decoder_, stats_);
    l->start();
    log()->info("syslog listening on {} {}:{}", c.tls ? "tls" : "tcp", c.address, l->local_endpoint().port());
    syslog_tcp_.push_back(std::move(l));
  }
  mqtt_decoder_ = std::make_unique<mqtt::Decoder>(s.mqtt.payload, stats_, clock_);
  if (!s.mqtt.brokers.empty())
    mqtt_decoder_->remember(open_store()->recent_attribute_values("mqtt", std::string(mqtt::identity_attribute),
                                                                  mqtt::Decoder::recent_capacity));
  mqtt_ = std::make_unique<mqtt::Collector>(s.mqtt, *mqtt_decoder_, *pipeline_, stats_);
  mqtt_->start();
  for (const auto& b : s.mqtt.brokers) log()->info("MQTT subscribing at {}", b.display_name());
  if (!s.snmp.udp.empty()) {
    snmp_handler_ = std::make_unique<snmp::TrapHandler>(s.snmp, stats_, clock_);
    for (const auto& c : s.snmp.udp) {
      auto l = std::make_unique<snmp::UdpListener>(io_, c, *snmp_handler_, *pipeline_, stats_, s.snmp.max_informs_in_flight);
      l->start();
      log()->info("SNMP listening on udp {}:{} engine_id={}", c.address, l->local_endpoint().port(),
                  snmp_handler_->local_engine_id());
      snmp_udp_.push_back(std::move(l));
    }
  }
  email_decoder_ = std::make_unique<email_in::Decoder>(s.email_in.decoder, *pipeline_, stats_, clock_, pipeline_.get());
  email_decoder_->set_directory(oncall_->current());
  if (s.email_in.enabled) {
    email_listener_ = std::make_unique<email_in::SmtpListener>(io_, s.email_in.listener, *email_decoder_, stats_);
    email_listener_->start();
    log()->info("SMTP listening on {}:{}", s.email_in.listener.address, email_listener_->local_endpoint().port());
  }
  up_since_ = stats_.gauge("tocsin_start_time_seconds", "When this tocsind started (Unix time)", {},
                           [t = clock_.wall_ms() / 1000.0] { return t; });
}

void Daemon::stop() {
  sd_notify(0, "STOPPING=1");
  log()->info("stopping: closing listeners, committing what was accepted");
  for (auto& l : syslog_udp_) l->stop();
  for (auto& l : syslog_tcp_) l->stop();
  if (http_ingest_) http_ingest_->stop();
  if (mqtt_) mqtt_->stop();
  for (auto& l : snmp_udp_) l->stop();
  if (email_listener_) email_listener_->stop();
  pipeline_->stop();
  outbox_->stop();
  if (http_) http_->stop();
  watchdog_.cancel();
  signals_.cancel();
}

void Daemon::reload() {
  config::Errors errors;
  auto next = load_settings(settings_.file, errors);
  if (!next) {
    for (const auto& e : errors.messages()) log()->error("reload rejected: {}", e);
    log()->error("reload rejected: the running configuration stays in force");
    sd_notify(0, "READY=1\nSTATUS=reload rejected, old configuration running");
    return;
  }
  configure_logging(next->log_level);
  syslog_decoder_->reconfigure(next->syslog);
  http_ingest_->reconfigure(next->http);
  mqtt_decoder_->reconfigure(next->mqtt.payload);
  try {
    if (snmp_handler_) snmp_handler_->reconfigure(next->snmp);
  } catch (const std::exception& e) {
    log()->error("reload: snmp users not applied error={}", e.what());
  }
  email_decoder_->reconfigure(next->email_in.decoder);
  webhook_sink_->reconfigure(next->webhook.sink);
  if (smtp_sink_ && next->email_enabled) smtp_sink_->reconfigure(next->smtp);
  if (sms_sink_ && next->sms.enabled) sms_sink_->reconfigure(next->sms.config);
  outbox_->reconfigure(next->outbox.throttle);
  // The new files with the API's CIs on top; the catalog records what the
  // files changed and hands the snapshot to the pipeline, whose thread swaps
  // it in: alert and incident state stay.
  config::Errors cmdb_errors;
  if (!catalog_->reload(next->correlator.cmdb, cmdb_errors)) {
    for (const auto& e : cmdb_errors.messages()) log()->error("reload: CMDB: {}", e);
    log()->error("reload: the CMDB files conflict with CIs changed through the API; the running CMDB stays");
  }
  next->correlator.cmdb = catalog_->current();
  // The correlator's new configuration is swapped in on the pipeline's thread,
  // with the API's people and groups laid over the new directory and the
  // stored on-call overrides merged; alert and incident state stay.
  oncall_->rebase(std::dynamic_pointer_cast<const oncall::Snapshot>(next->correlator.oncall),
                  [&](api::OncallDirectory::Snapshot merged) {
                    // Under the directory's lock: no later change is overtaken.
                    if (sms_routes_) sms_routes_->reconfigure(next->sms.config.gateway.callback_token, merged);
                    email_decoder_->set_directory(merged);
                    next->correlator.oncall = std::move(merged);
                    pipeline_->set_correlator_config(next->correlator);
                  });
  http_->set_tokens(next->api.tokens);
  bool restart_needed = next->store_path != settings_.store_path ||
                        next->store_cache_kib != settings_.store_cache_kib ||
                        next->repeat_flush_ms != settings_.repeat_flush_ms || next->api.port != settings_.api.port ||
                        next->api.address != settings_.api.address ||
                        next->syslog_udp.size() != settings_.syslog_udp.size() ||
                        next->syslog_tcp.size() != settings_.syslog_tcp.size() ||
                        next->email_enabled != settings_.email_enabled ||
                        next->sms.enabled != settings_.sms.enabled ||
                        next->mqtt.brokers.size() != settings_.mqtt.brokers.size() ||
                        next->snmp.udp.size() != settings_.snmp.udp.size() ||
                        next->email_in.enabled != settings_.email_in.enabled ||
                        next->email_in.listener.port != settings_.email_in.listener.port;
  if (restart_needed)
    log()->warn("reload: listener and store changes, and turning e-mail or SMS on or off, take effect at the next "
                "restart");
  settings_.syslog = next->syslog;
  settings_.http = next->http;
  settings_.mqtt.payload = next->mqtt.payload;
  settings_.snmp.decoder = next->snmp.decoder;
  settings_.snmp.access = next->snmp.access;
  settings_.snmp.mapping = next->snmp.mapping;
  settings_.email_in.decoder = next->email_in.decoder;
  settings_.webhook = next->webhook;
  if (next->email_enabled == settings_.email_enabled) settings_.smtp = next->smtp;
  if (next->sms.enabled == settings_.sms.enabled) settings_.sms.config = next->sms.config;
  settings_.outbox.throttle = next->outbox.throttle;
  settings_.correlator = next->correlator;
  settings_.api.tokens = next->api.tokens;
  settings_.log_level = next->log_level;
  log()->info("configuration reloaded from {}", settings_.file);
  sd_notify(0, "READY=1\nSTATUS=configuration reloaded");
}

void Daemon::wait_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      sd_notify(0, "RELOADING=1");
      reload();
      wait_signals();
      return;
    }
    log()->info("received {}", signo == SIGTERM ? "SIGTERM" : "SIGINT");
    stop();
  });
}

void Daemon::arm_watchdog(std::chrono::microseconds interval) {
  watchdog_.expires_after(interval / 2);
  watchdog_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) return;
    // Only a pipeline that commits is alive; a stuck store stops the pings and
    // lets systemd restart us.
    if (pipeline_->ready()) sd_notify(0, "WATCHDOG=1");
    arm_watchdog(interval);
  });
}

int Daemon::run() {
  try {
    start();
  } catch (const std::exception& e) {
    log()->critical("start-up failed: {}", e.what());
    if (pipeline_) pipeline_->stop();
    if (outbox_) outbox_->stop();
    return 1;
  }
  wait_signals();
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) arm_watchdog(std::chrono::microseconds(watchdog_usec));
  sd_notifyf(0, "READY=1\nSTATUS=tocsind %s running", version);
  log()->info("tocsind {} ready (config {})", version, settings_.file);

  unsigned n = std::max(2u, std::min(4u, std::thread::hardware_concurrency()));
  for (unsigned i = 1; i < n; ++i)
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "io");
      io_.run();
    });
  io_.run();
  for (auto& t : threads_) t.join();
  log()->info("stopped");
  return 0;
}

}  // namespace tocsin
