// The SNMP UDP listener on loopback with real datagrams: traps are offered to
// the pipeline, an INFORM is answered only after its event is durable, and a
// full pipeline queue is counted.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "collectors/snmp/transport.hpp"
#include "snmp_samples.hpp"

namespace tocsin::snmp {
namespace {

using test::sample;

// The pipeline as the listener sees it: records events, keeps `durable`
// callbacks for the test to release, and takes at most `capacity` offers.
class FakeSink final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>& events) override {
    std::lock_guard lock(mutex_);
    std::size_t n = std::min(events.size(), capacity - std::min(capacity, offered.size()));
    for (std::size_t i = 0; i < n; ++i) offered.push_back(events[i]);
    seen += events.size();
    changed_.notify_all();
    return n;
  }
  void submit(std::vector<Event> events, std::function<void()> durable) override {
    std::lock_guard lock(mutex_);
    seen += events.size();
    for (auto& e : events) submitted.push_back(std::move(e));
    pending.push_back(std::move(durable));
    changed_.notify_all();
  }
  void wait_seen(std::size_t n) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(10), [&] { return seen >= n; }));
  }
  void release_all() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mutex_);
      callbacks.swap(pending);
    }
    for (auto& c : callbacks) c();
  }

  std::size_t capacity = 1'000'000;
  std::vector<Event> offered, submitted;
  std::vector<std::function<void()>> pending;
  std::size_t seen = 0;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

class SnmpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config c;
    c.decoder = test::sample_decoder_config();
    handler_ = std::make_unique<TrapHandler>(c, stats_, clock_);
    listener_ = std::make_unique<UdpListener>(io_, ListenerConfig{"127.0.0.1", 0, 1 << 20}, *handler_, sink_, stats_);
    listener_->start();
    thread_ = std::thread([this] { io_.run(); });
    client_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(listener_->local_endpoint().port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(client_, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  }
  void TearDown() override {
    listener_->stop();
    work_.reset();
    thread_.join();
    close(client_);
  }
  void send_sample(const std::string& name) {
    auto bytes = sample(name);
    ASSERT_EQ(send(client_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // What the listener sent back; empty when nothing came within `ms`.
  std::string receive(int ms) {
    pollfd p{client_, POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return {};
    char buf[2048];
    ssize_t n = recv(client_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

  StatsRegistry stats_;
  FakeClock clock_;
  FakeSink sink_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<TrapHandler> handler_;
  std::unique_ptr<UdpListener> listener_;
  std::thread thread_;
  int client_ = -1;
};

TEST_F(SnmpTransportTest, TrapIsOfferedToThePipeline) {
  send_sample("v2c_link_down");
  sink_.wait_seen(1);
  ASSERT_EQ(sink_.offered.size(), 1u);
  EXPECT_EQ(sink_.offered[0].name, "link_down");
  EXPECT_EQ(sink_.offered[0].source_address, "127.0.0.1");
}

TEST_F(SnmpTransportTest, InformIsAnsweredOnlyAfterItsEventIsDurable) {
  send_sample("v2c_inform_link_down");
  send_sample("v2c_link_down");  // handled after the inform on the same strand
  sink_.wait_seen(2);
  ASSERT_EQ(sink_.submitted.size(), 1u);
  EXPECT_EQ(receive(0), "");  // not committed yet: no response
  sink_.release_all();
  auto response = receive(5000);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(static_cast<unsigned char>(response[0]), 0x30);
  EXPECT_EQ(stats_.value("tocsin_snmp_inform_responses_total"), 1);
}

TEST_F(SnmpTransportTest, DiscoveryProbeIsAnsweredAtOnce) {
  send_sample("v3_inform_discovery_probe");
  EXPECT_FALSE(receive(5000).empty());
}

TEST_F(SnmpTransportTest, TrapsBeyondTheQueueAreCountedAsDropped) {
  sink_.capacity = 1;
  send_sample("v2c_link_down");
  send_sample("v2c_link_up");
  // Informs are submitted after the batch's traps are offered and counted,
  // so once this one arrives the count is final.
  send_sample("v2c_inform_link_down");
  sink_.wait_seen(3);
  EXPECT_EQ(sink_.offered.size(), 1u);
  EXPECT_EQ(stats_.value("tocsin_snmp_dropped_total", {{"reason", "queue_full"}}), 1);
}

}  // namespace
}  // namespace tocsin::snmp
