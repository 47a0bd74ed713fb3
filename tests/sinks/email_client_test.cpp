// The SMTP client against a real SMTP server (tests/support/smtp_server.py on
// aiosmtpd) on loopback: what arrives in the mailbox, and which outcome each
// server answer maps to.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "sinks/email/client.hpp"

extern char** environ;

namespace tocsin::email {
namespace {

namespace fs = std::filesystem;
using Outcome = DeliveryResult::Outcome;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "tocsin-smtp-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// smtp_server.py as a child process on a free loopback port.
class SmtpServer {
 public:
  SmtpServer(const fs::path& dir, std::vector<std::string> options) : maildir_(dir / "mail") {
    std::vector<std::string> args = {
        "/usr/bin/python3", std::string(TOCSIN_SOURCE_DIR) + "/tests/support/smtp_server.py",
        "--port",           "0",
        "--maildir",        maildir_.string()};
    args.insert(args.end(), options.begin(), options.end());
    spawn(args, dir / "smtp_server.log");
    port_ = wait_ready(dir / "smtp_server.log");
  }
  ~SmtpServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(stdout_);
  }
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> messages() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(maildir_))
      if (entry.path().extension() == ".eml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(read_file(f));
    return out;
  }

 private:
  void spawn(const std::vector<std::string>& args, const fs::path& log) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    stdout_ = pipe_fds[0];
    if (rc != 0) throw std::runtime_error("cannot start smtp_server.py");
  }

  // Bounded wait for "READY <port>"; the log explains a failed start.
  int wait_ready(const fs::path& log) {
    std::string out;
    pollfd pfd{stdout_, POLLIN, 0};
    while (out.find('\n') == std::string::npos && poll(&pfd, 1, 30000) > 0) {
      char buf[256];
      const ssize_t n = read(stdout_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    std::smatch m;
    if (!std::regex_search(out, m, std::regex(R"(READY (\d+))")))
      throw std::runtime_error("smtp_server.py did not start: " + read_file(log));
    return std::stoi(m[1]);
  }

  fs::path maildir_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

// A loopback port with nothing listening on it.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string header(const std::string& message, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(message, m, std::regex("\r\n" + name + ": ([^\r]*)\r\n"))) return "<absent>";
  return m[1];
}

std::string base64_decode(const std::string& in) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, buffer = 0;
  for (char c : in) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<int>(alphabet.find(c));
    if ((bits += 6) >= 8) out += static_cast<char>((buffer >> (bits -= 8)) & 0xFF);
  }
  return out;
}

// The decoded Subject, however it was folded into encoded-words.
std::string decoded_subject(const std::string& message) {
  const auto start = message.find("\r\nSubject:") + 10;
  std::string field = message.substr(start, message.find("\r\n", start) - start);
  for (auto pos = message.find("\r\n", start); message[pos + 2] == ' '; pos = message.find("\r\n", pos + 2))
    field += message.substr(pos + 2, message.find("\r\n", pos + 2) - pos - 2);
  static const std::regex word(R"(=\?UTF-8\?B\?([^?]*)\?=)");
  std::string out;
  for (std::sregex_iterator it(field.begin(), field.end(), word), end; it != end; ++it) out += base64_decode((*it)[1]);
  return out;
}

class SmtpSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new fs::path(make_temp_dir());
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (*certs_ / "key.pem").string() + " -out " + (*certs_ / "cert.pem").string() + " 2>" +
        (*certs_ / "openssl.log").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(*certs_ / "openssl.log");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*certs_);
    delete certs_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string cert() { return (*certs_ / "cert.pem").string(); }
  static std::string key() { return (*certs_ / "key.pem").string(); }

  std::unique_ptr<SmtpServer> server(std::vector<std::string> options = {}) {
    return std::make_unique<SmtpServer>(dir_, std::move(options));
  }
  SmtpConfig config_for(const SmtpServer& s) {
    SmtpConfig c;
    c.server = s.address();
    c.helo_name = "tocsin-test";
    c.timeout = std::chrono::seconds(10);
    return c;
  }
  DeliveryResult deliver(const SmtpConfig& config, const Notification& n) {
    return SmtpSink(config, clock_).deliver(n);
  }

  static Notification page() {
    Notification n;
    n.id = 42;
    n.incident_id = 7;
    n.channel = "email";
    n.recipient = "oncall@example.net";
    n.subject = "[P1] core-sw1 Gi0/1 down";
    n.body = "Interface Gi0/1 on core-sw1 is down.";
    return n;
  }

  static inline fs::path* certs_ = nullptr;
  fs::path dir_ = make_temp_dir();
  FakeClock clock_{1'700'000'000'000};
};

TEST_F(SmtpSinkTest, DeliveredPageArrivesInTheMailboxWithItsHeadersAndBody) {
  auto s = server();
  Notification n = page();
  n.subject = "【P1】核心交换机 core-sw1 端口 Gi0/1 链路中断，影响北京机房全部业务";
  const DeliveryResult r = deliver(config_for(*s), n);
  ASSERT_EQ(r.outcome, Outcome::delivered) << r.detail;
  EXPECT_NE(r.detail.find("250"), std::string::npos) << r.detail;

  const auto mail = s->messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].rfind("Return-Path: <tocsin@localhost>\r\nDelivered-To: oncall@example.net\r\n", 0), 0u) << mail[0];
  EXPECT_EQ(decoded_subject(mail[0]), n.subject);
  EXPECT_EQ(header(mail[0], "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(header(mail[0], "Message-ID"), "<tocsin-n42-i7@localhost>");
  EXPECT_EQ(header(mail[0], "X-Tocsin-Incident"), "7");
  EXPECT_NE(mail[0].find("\r\n\r\nInterface Gi0/1 on core-sw1 is down.\r\n"), std::string::npos) << mail[0];
}

TEST_F(SmtpSinkTest, BodyLinesStartingWithADotArriveIntact) {
  auto s = server();
  Notification n = page();
  n.body = ".\n..two dots\n.one dot";
  ASSERT_EQ(deliver(config_for(*s), n).outcome, Outcome::delivered);
  const auto mail = s->messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(mail[0].find("\r\n\r\n.\r\n..two dots\r\n.one dot\r\n"), std::string::npos) << mail[0];
}

TEST_F(SmtpSinkTest, StartTlsWithTheServerCertificateAsCaDelivers) {
  auto s = server({"--tls-cert", cert(), "--tls-key", key(), "--require-starttls"});
  SmtpConfig c = config_for(*s);
  c.tls = SmtpConfig::Tls::required_starttls;
  c.ca_file = cert();
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  EXPECT_EQ(s->messages().size(), 1u);
}

TEST_F(SmtpSinkTest, StartTlsWithAnUntrustedCertificateIsRetried) {
  auto s = server({"--tls-cert", cert(), "--tls-key", key()});
  SmtpConfig c = config_for(*s);
  c.tls = SmtpConfig::Tls::starttls;  // opportunistic, but a bad certificate still stops it
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::retry) << r.detail;
  EXPECT_TRUE(s->messages().empty());
}

TEST_F(SmtpSinkTest, RequiredStartTlsAgainstAServerWithoutTlsIsRetried) {
  auto s = server();
  SmtpConfig c = config_for(*s);
  c.tls = SmtpConfig::Tls::required_starttls;
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::retry) << r.detail;
  EXPECT_TRUE(s->messages().empty());
}

TEST_F(SmtpSinkTest, ImplicitTlsDelivers) {
  auto s = server({"--tls-cert", cert(), "--tls-key", key(), "--implicit-tls"});
  SmtpConfig c = config_for(*s);
  c.tls = SmtpConfig::Tls::implicit;
  c.ca_file = cert();
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  EXPECT_EQ(s->messages().size(), 1u);
}

class SmtpSinkAuthTest : public SmtpSinkTest, public ::testing::WithParamInterface<SmtpConfig::Auth> {};

TEST_P(SmtpSinkAuthTest, CorrectCredentialsAreAccepted) {
  auto s = server({"--auth-user", "tocsin", "--auth-pass", "s3cret"});
  SmtpConfig c = config_for(*s);
  c.username = "tocsin";
  c.password = "s3cret";
  c.auth = GetParam();
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
  EXPECT_EQ(s->messages().size(), 1u);
}

TEST_P(SmtpSinkAuthTest, WrongPasswordIsRetriedUntilTheConfigurationIsFixed) {
  auto s = server({"--auth-user", "tocsin", "--auth-pass", "s3cret"});
  SmtpConfig c = config_for(*s);
  c.username = "tocsin";
  c.password = "wrong";
  c.auth = GetParam();
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::retry) << r.detail;
  EXPECT_NE(r.detail.find("535"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("wrong"), std::string::npos) << "the password must not leak: " << r.detail;
  EXPECT_TRUE(s->messages().empty());
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, SmtpSinkAuthTest,
                         ::testing::Values(SmtpConfig::Auth::plain, SmtpConfig::Auth::login),
                         [](const auto& info) { return info.param == SmtpConfig::Auth::plain ? "Plain" : "Login"; });

TEST_F(SmtpSinkTest, AuthAfterStartTlsDelivers) {
  auto s = server({"--tls-cert", cert(), "--tls-key", key(), "--auth-user", "tocsin", "--auth-pass", "s3cret"});
  SmtpConfig c = config_for(*s);
  c.tls = SmtpConfig::Tls::required_starttls;
  c.ca_file = cert();
  c.username = "tocsin";
  c.password = "s3cret";
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.detail;
}

TEST_F(SmtpSinkTest, UnknownRecipientIsRejectedWithTheServerReply) {
  auto s = server({"--reject-rcpt", "gone@example.net"});
  Notification n = page();
  n.recipient = "gone@example.net";
  const DeliveryResult r = deliver(config_for(*s), n);
  EXPECT_EQ(r.outcome, Outcome::rejected) << r.detail;
  EXPECT_NE(r.detail.find("550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown"), std::string::npos)
      << r.detail;
  EXPECT_TRUE(s->messages().empty());
}

TEST_F(SmtpSinkTest, TemporaryFailureIsRetriedAndTheNextAttemptDelivers) {
  auto s = server({"--tempfail-first", "1"});
  const SmtpConfig c = config_for(*s);
  const DeliveryResult first = deliver(c, page());
  EXPECT_EQ(first.outcome, Outcome::retry) << first.detail;
  EXPECT_NE(first.detail.find("451"), std::string::npos) << first.detail;
  EXPECT_TRUE(s->messages().empty());

  const DeliveryResult second = deliver(c, page());
  EXPECT_EQ(second.outcome, Outcome::delivered) << second.detail;
  EXPECT_EQ(s->messages().size(), 1u);
}

TEST_F(SmtpSinkTest, NoServerListeningIsRetried) {
  SmtpConfig c;
  c.server = "127.0.0.1:" + std::to_string(closed_port());
  const DeliveryResult r = deliver(c, page());
  EXPECT_EQ(r.outcome, Outcome::retry) << r.detail;
  EXPECT_FALSE(r.detail.empty());
}

TEST_F(SmtpSinkTest, SilentServerIsRetriedAfterTheTimeout) {
  // Accepts connections (kernel backlog) but never sends a greeting.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  SmtpConfig c;
  c.server = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  c.timeout = std::chrono::seconds(1);
  const DeliveryResult r = deliver(c, page());
  close(fd);
  EXPECT_EQ(r.outcome, Outcome::retry) << r.detail;
  EXPECT_NE(r.detail.find("timed out"), std::string::npos) << r.detail;
}

TEST_F(SmtpSinkTest, RecipientWithLineBreaksIsRejectedBeforeConnecting) {
  SmtpConfig c;
  c.server = "127.0.0.1:" + std::to_string(closed_port());
  Notification n = page();
  n.recipient = "oncall@example.net>\r\nRCPT TO:<other@example.net";
  const DeliveryResult r = deliver(c, n);
  EXPECT_EQ(r.outcome, Outcome::rejected);
  EXPECT_EQ(r.detail, "invalid recipient address");
}

}  // namespace
}  // namespace tocsin::email
