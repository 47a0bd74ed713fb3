#pragma once
// The MQTT collector's transport: one libmosquitto client per broker, each on
// its own thread (the bounded hand-off: every libmosquitto call for a broker
// happens on that thread; the pipeline only bumps a counter and writes an
// eventfd). The client holds back its PUBACKs until the messages they
// acknowledge are committed: see README.md, "Acknowledged only when durable",
// for why this works with libmosquitto 2.0.11 and where in its source.
//
// While a batch is being committed the client reads the next one but writes
// nothing, so the broker's receive window (MQTT 5 Receive Maximum,
// mosquitto's max_inflight_messages for 3.1.1) is the backpressure.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collectors/mqtt/config.hpp"
#include "collectors/mqtt/decoder.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/stats.hpp"

struct mosquitto;
struct mosquitto_message;

namespace tocsin::mqtt {

// Delay before the next connection attempt: doubles, capped.
std::chrono::milliseconds next_backoff(std::chrono::milliseconds current, const BrokerConfig& config);

class BrokerClient {
 public:
  BrokerClient(BrokerConfig config, Decoder& decoder, EventSink& sink, StatsRegistry& stats);
  ~BrokerClient();
  BrokerClient(const BrokerClient&) = delete;
  BrokerClient& operator=(const BrokerClient&) = delete;

  // Throws std::runtime_error when the client cannot be set up (bad TLS
  // files); an absent broker is not an error: it is retried quietly.
  void start();
  // Stops reading, waits (bounded) for the batch being committed, releases
  // its PUBACKs and disconnects, keeping the session.
  void stop();

  struct Wake;

 private:
  void run();
  bool connect();
  void serve();
  bool read_batch();
  void submit_batch();
  bool flush();
  bool commit_pending() const;
  bool may_read() const;
  void wait_commit(std::chrono::milliseconds bound);
  void wait(std::chrono::milliseconds duration);
  void failed(const std::string& why);
  void shut_down();

  static void on_connect(mosquitto*, void* self, int rc);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);

  BrokerConfig config_;
  std::string session_;
  std::string address_;
  Decoder& decoder_;
  EventSink& sink_;
  mosquitto* mosq_ = nullptr;
  std::shared_ptr<Wake> wake_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  // Only on the client's thread:
  std::vector<Event> batch_;
  std::uint64_t submitted_ = 0;
  int ahead_ = 0;  // batches submitted while an earlier one was still committing
  bool refused_ = false;
  bool quiet_ = false;  // already warned that the broker is unreachable
  std::chrono::milliseconds backoff_;

  Counter& connected_;
  Counter& connect_failures_;
  Counter& disconnects_;
};

// Every configured broker.
class Collector {
 public:
  Collector(const MqttConfig& config, Decoder& decoder, EventSink& sink, StatsRegistry& stats);
  void start();
  void stop();

 private:
  std::vector<std::unique_ptr<BrokerClient>> clients_;
};

}  // namespace tocsin::mqtt
