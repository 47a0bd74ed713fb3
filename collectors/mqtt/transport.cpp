// libmosquitto driven by hand: reads, commits, then PUBACKs.
#include "collectors/mqtt/transport.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace tocsin::mqtt {

namespace {
constexpr int poll_interval_ms = 1000;         // keepalive granularity
constexpr std::size_t max_batch_events = 4096;  // QoS 0 floods have no receive window
// Batches submitted one after the other while commits are pending, before the
// client stops reading to let every PUBACK (and a PINGREQ) out.
constexpr int max_read_ahead = 4;
constexpr auto stop_commit_bound = std::chrono::seconds(5);

std::shared_ptr<spdlog::logger> log() {
  auto l = spdlog::get("mqtt");
  return l ? l : spdlog::default_logger();
}

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

bool readable_now(mosquitto* mosq) {
  if (SSL* ssl = static_cast<SSL*>(mosquitto_ssl_get(mosq)); ssl && SSL_pending(ssl) > 0) return true;
  pollfd p{mosquitto_socket(mosq), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}
}  // namespace

// Shared with the durable callbacks, which may run after the client is gone.
struct BrokerClient::Wake {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::atomic<std::uint64_t> durable{0};
  ~Wake() { ::close(fd); }
  void notify() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
  }
  void drain() {
    std::uint64_t value;
    [[maybe_unused]] auto n = ::read(fd, &value, sizeof value);
  }
};

std::chrono::milliseconds next_backoff(std::chrono::milliseconds current, const BrokerConfig& config) {
  return std::min(config.max_backoff, std::max(config.initial_backoff, current * 2));
}

BrokerClient::BrokerClient(BrokerConfig config, Decoder& decoder, EventSink& sink, StatsRegistry& stats)
    : config_(std::move(config)),
      session_(config_.client_id + "@" + config_.host + ":" + std::to_string(config_.port)),
      address_(config_.host + ":" + std::to_string(config_.port)),
      decoder_(decoder),
      sink_(sink),
      wake_(std::make_shared<Wake>()),
      backoff_(config_.initial_backoff),
      connected_(stats.counter("tocsin_mqtt_connections_total", "MQTT connection attempts by outcome",
                               {{"broker", config_.display_name()}, {"outcome", "connected"}})),
      connect_failures_(stats.counter("tocsin_mqtt_connections_total", "",
                                      {{"broker", config_.display_name()}, {"outcome", "failed"}})),
      disconnects_(stats.counter("tocsin_mqtt_disconnects_total", "MQTT connections lost",
                                 {{"broker", config_.display_name()}})) {}

BrokerClient::~BrokerClient() {
  stop();
  if (mosq_) mosquitto_destroy(mosq_);
}

void BrokerClient::start() {
  init_library();
  // clean_session=false: the broker keeps our subscriptions and queues QoS 1
  // messages while we are away.
  mosq_ = mosquitto_new(config_.client_id.c_str(), false, this);
  if (!mosq_) throw std::runtime_error("mqtt: cannot create a client for " + config_.display_name());
  // Threaded without a library thread: queued packets are never written behind
  // our back (packet__queue), only by mosquitto_loop_write.
  mosquitto_threaded_set(mosq_, true);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION,
                       config_.protocol == Protocol::v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  if (config_.protocol == Protocol::v5) mosquitto_int_option(mosq_, MOSQ_OPT_RECEIVE_MAXIMUM, config_.receive_maximum);
  if (!config_.username.empty())
    mosquitto_username_pw_set(mosq_, config_.username.c_str(),
                              config_.password.empty() ? nullptr : config_.password.c_str());
  if (config_.tls) {
    auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    int rc = mosquitto_tls_set(mosq_, opt(config_.ca_file), config_.ca_file.empty() ? "/etc/ssl/certs" : nullptr,
                               opt(config_.certificate_file), opt(config_.key_file), nullptr);
    if (rc != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("mqtt: " + config_.display_name() + ": TLS set-up: " + mosquitto_strerror(rc));
  }
  mosquitto_connect_callback_set(mosq_, &BrokerClient::on_connect);
  mosquitto_message_callback_set(mosq_, &BrokerClient::on_message);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "mqtt");
    run();
  });
}

void BrokerClient::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake_->notify();
  thread_.join();
}

void BrokerClient::run() {
  while (!stopping_) {
    if (connect()) serve();
    if (stopping_) break;
    wait_commit(std::chrono::hours(24));  // PUBACKs of the lost connection are void; its batch must still land
    wait(backoff_);
    backoff_ = next_backoff(backoff_, config_);
  }
  shut_down();
}

bool BrokerClient::connect() {
  refused_ = false;
  int rc;
  int keepalive = static_cast<int>(config_.keepalive.count());
  if (config_.protocol == Protocol::v5) {
    mosquitto_property* props = nullptr;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                                 static_cast<std::uint32_t>(config_.session_expiry.count()));
    rc = mosquitto_connect_bind_v5(mosq_, config_.host.c_str(), config_.port, keepalive, nullptr, props);
    mosquitto_property_free_all(&props);
  } else {
    rc = mosquitto_connect(mosq_, config_.host.c_str(), config_.port, keepalive);
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    failed(rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc));
    return false;
  }
  return flush();  // CONNECT
}

void BrokerClient::failed(const std::string& why) {
  connect_failures_.inc();
  if (quiet_) {
    log()->debug("MQTT broker {} still unreachable: {}", config_.display_name(), why);
    return;
  }
  log()->warn("MQTT broker {} unreachable: {}; retrying quietly (every {} ms at most)", config_.display_name(), why,
              config_.max_backoff.count());
  quiet_ = true;
}

bool BrokerClient::commit_pending() const { return submitted_ != wake_->durable.load(); }

// While a batch commits, the next one is read (read-ahead), up to a bound:
// its PUBACKs are queued behind those of the batch being committed, and
// nothing is written until every message read so far is durable.
bool BrokerClient::may_read() const {
  return !commit_pending() || (batch_.size() < max_batch_events && ahead_ < max_read_ahead);
}

// Writes the queued packets, PUBACKs included, once every batch is durable.
bool BrokerClient::flush() {
  if (commit_pending()) return true;
  ahead_ = 0;
  if (!mosquitto_want_write(mosq_)) return true;
  // libmosquitto writes each packet with its own write(): corked, the
  // PUBACKs of a batch leave in full segments instead of one each.
  const int fd = mosquitto_socket(mosq_);
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
  const bool written = mosquitto_loop_write(mosq_, 1) == MOSQ_ERR_SUCCESS;
  on = 0;
  if (int still = mosquitto_socket(mosq_); still >= 0) ::setsockopt(still, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
  return written;
}

void BrokerClient::serve() {
  while (!stopping_ && !refused_) {
    const bool pending = commit_pending();
    pollfd fds[2] = {{may_read() ? mosquitto_socket(mosq_) : -1,
                      static_cast<short>(POLLIN | (!pending && mosquitto_want_write(mosq_) ? POLLOUT : 0)), 0},
                     {wake_->fd, POLLIN, 0}};
    ::poll(fds, 2, poll_interval_ms);
    if (fds[1].revents) wake_->drain();
    // A batch just became durable: what was read meanwhile is committed next,
    // or, when nothing was, the PUBACKs go out. TLS may hold bytes already
    // read from the socket, so read without waiting for POLLIN.
    const bool released = pending && !commit_pending();
    if (released) submit_batch();
    if (!flush()) break;
    if ((released || (fds[0].revents & POLLIN)) && may_read() && !read_batch()) break;
    if (!commit_pending()) submit_batch();
    if (mosquitto_loop_misc(mosq_) != MOSQ_ERR_SUCCESS || !flush()) break;
  }
  if (stopping_) return;
  disconnects_.inc();
  if (!refused_) log()->warn("MQTT connection to {} lost; reconnecting", config_.display_name());
  quiet_ = refused_;
}

// Reads what is readable now, into the batch; false when the connection is lost.
bool BrokerClient::read_batch() {
  while (batch_.size() < max_batch_events) {
    if (mosquitto_loop_read(mosq_, 1) != MOSQ_ERR_SUCCESS || refused_) return false;
    if (!readable_now(mosq_)) break;
  }
  return true;
}

// Hands the batch to the pipeline; its durable callback wakes this thread.
void BrokerClient::submit_batch() {
  if (batch_.empty()) return;
  ++ahead_;
  ++submitted_;
  sink_.submit(std::move(batch_), [wake = wake_] {
    wake->durable.fetch_add(1);
    wake->notify();
  });
  batch_.clear();
}

void BrokerClient::wait_commit(std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (commit_pending() && std::chrono::steady_clock::now() < deadline) {
    pollfd p{wake_->fd, POLLIN, 0};
    ::poll(&p, 1, poll_interval_ms);
    wake_->drain();
    if (stopping_ && bound > stop_commit_bound) return;  // shut_down() waits, bounded
  }
}

void BrokerClient::wait(std::chrono::milliseconds duration) {
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{wake_->fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
    wake_->drain();
  }
}

// The session stays on the broker: what arrives while we are down waits there.
void BrokerClient::shut_down() {
  submit_batch();  // what was read ahead is committed before any PUBACK goes out
  wait_commit(stop_commit_bound);
  if (mosquitto_socket(mosq_) < 0) return;
  flush();
  if (!commit_pending()) {
    mosquitto_disconnect(mosq_);
    flush();
  }
}

void BrokerClient::on_connect(mosquitto* mosq, void* self, int rc) {
  auto* c = static_cast<BrokerClient*>(self);
  if (rc != 0) {
    c->refused_ = true;
    c->connect_failures_.inc();
    log()->error("MQTT broker {} refused the connection: {}", c->config_.display_name(),
                 c->config_.protocol == Protocol::v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
    return;
  }
  c->connected_.inc();
  c->quiet_ = false;
  c->backoff_ = c->config_.initial_backoff;
  log()->info("MQTT connected to {} as {}", c->config_.display_name(), c->config_.client_id);
  for (const auto& topic : c->config_.topics) mosquitto_subscribe(mosq, nullptr, topic.c_str(), 1);
}

void BrokerClient::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* c = static_cast<BrokerClient*>(self);
  Message message;
  message.session = c->session_;
  message.broker = c->address_;
  message.topic = m->topic ? std::string_view(m->topic) : std::string_view();
  message.payload = std::string_view(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
  message.packet_id = m->mid;
  message.qos = m->qos;
  c->decoder_.decode(message, c->batch_);
}

Collector::Collector(const MqttConfig& config, Decoder& decoder, EventSink& sink, StatsRegistry& stats) {
  for (const auto& b : config.brokers) clients_.push_back(std::make_unique<BrokerClient>(b, decoder, sink, stats));
}

void Collector::start() {
  for (auto& c : clients_) c->start();
}

void Collector::stop() {
  for (auto& c : clients_) c->stop();
}

}  // namespace tocsin::mqtt
