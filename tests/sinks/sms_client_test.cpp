// The SMS gateway client against a real HTTP exchange on loopback: what
// arrives at the gateway (request line, headers, body) and which outcome each
// answer, silence or refusal maps to.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sinks/sms/client.hpp"

namespace tocsin::sms {
namespace {

using Outcome = DeliveryResult::Outcome;

// Accepts connections on 127.0.0.1, reads one request each, records it and
// answers `answer` (or nothing when it is empty, until the client gives up).
class Gateway {
 public:
  explicit Gateway(std::string answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~Gateway() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (true) {
        auto end = request.find("\r\n\r\n");
        if (end != std::string::npos) {
          auto cl = request.find("Content-Length: ");
          std::size_t body = cl == std::string::npos ? 0 : std::stoul(request.substr(cl + 16));
          if (request.size() >= end + 4 + body) break;
        }
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      if (!answer_.empty()) ::send(c, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      else while (::recv(c, buf, sizeof buf, 0) > 0) {}  // silent until the client gives up
      ::close(c);
    }
  }

  std::string answer_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

const std::string accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 24\r\nConnection: close\r\n\r\n0: Accepted for delivery";

Notification page(std::string body) {
  Notification n;
  n.id = 42;
  n.incident_id = 7;
  n.channel = "sms";
  n.recipient = "+33 6 12 34 56 78";
  n.body = std::move(body);
  return n;
}

TEST(HttpSmsSinkTest, KannelSendsmsGetIsDeliveredOnA202) {
  Gateway gw(accepted);
  SmsConfig c;
  c.gateway.url = gw.url("/cgi-bin/sendsms");
  c.gateway.username = "tocsin";
  c.gateway.password = "pw";
  DeliveryResult r = HttpSmsSink(c).deliver(page("P1 #7: core down"));
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  ASSERT_EQ(gw.requests().size(), 1u);
  const std::string req = gw.requests()[0];
  EXPECT_EQ(req.substr(0, req.find("\r\n")),
            "GET /cgi-bin/sendsms?username=tocsin&password=pw&to=%2B33612345678&text=P1%20%237%3A%20core%20down"
            "&charset=UTF-8&coding=0 HTTP/1.1");
}

TEST(HttpSmsSinkTest, GenericPostCarriesBasicAuthHeadersAndTheBody) {
  Gateway gw("HTTP/1.1 201 Created\r\nContent-Length: 17\r\n\r\n{\"status\":\"sent\"}");
  SmsConfig c;
  c.gateway.preset = Preset::generic;
  c.gateway.method = Method::post;
  c.gateway.url = gw.url("/v1/sms");
  c.gateway.content_type = "application/json";
  c.gateway.body = R"({"to":"{to}","text":"{text}"})";
  c.gateway.username = "u";
  c.gateway.password = "p";
  c.gateway.basic_auth = true;
  c.gateway.headers = {{"X-Api-Key", "k1"}};
  c.gateway.success_regex = R"("status":"sent")";
  DeliveryResult r = HttpSmsSink(c).deliver(page("数据中心"));
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  ASSERT_EQ(gw.requests().size(), 1u);
  const std::string req = gw.requests()[0];
  EXPECT_EQ(req.rfind("POST /v1/sms HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("Authorization: Basic dTpw\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("X-Api-Key: k1\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\n\r\n{\"to\":\"+33612345678\",\"text\":\"数据中心\"}"), std::string::npos) << req;
}

TEST(HttpSmsSinkTest, BadRequestIsRejectedAndServerErrorsAreRetried) {
  Gateway bad("HTTP/1.1 400 Bad Request\r\nContent-Length: 16\r\n\r\nMissing receiver");
  SmsConfig c;
  c.gateway.url = bad.url("/cgi-bin/sendsms");
  EXPECT_EQ(HttpSmsSink(c).deliver(page("x")).outcome, Outcome::rejected);
  Gateway busy("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  c.gateway.url = busy.url("/cgi-bin/sendsms");
  EXPECT_EQ(HttpSmsSink(c).deliver(page("x")).outcome, Outcome::retry);
}

TEST(HttpSmsSinkTest, SilentGatewayIsRetriedAfterTheTimeout) {
  Gateway silent("");
  SmsConfig c;
  c.gateway.url = silent.url("/cgi-bin/sendsms");
  c.gateway.timeout = std::chrono::milliseconds(300);
  DeliveryResult r = HttpSmsSink(c).deliver(page("x"));
  EXPECT_EQ(r.outcome, Outcome::retry);
  EXPECT_NE(r.detail.find("gateway unreachable"), std::string::npos) << r.detail;
}

TEST(HttpSmsSinkTest, RefusedConnectionIsRetried) {
  SmsConfig c;
  c.gateway.url = "http://127.0.0.1:1/cgi-bin/sendsms";
  EXPECT_EQ(HttpSmsSink(c).deliver(page("x")).outcome, Outcome::retry);
}

TEST(HttpSmsSinkTest, SplitSendsOneRequestPerPart) {
  Gateway gw(accepted);
  SmsConfig c;
  c.gateway.url = gw.url("/cgi-bin/sendsms");
  c.encoder = {3, Overflow::split};
  DeliveryResult r = HttpSmsSink(c).deliver(page(std::string(200, 'a')));
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  EXPECT_EQ(gw.requests().size(), 2u);
}

}  // namespace
}  // namespace tocsin::sms
