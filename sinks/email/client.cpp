// SMTP client of the e-mail sink, on libcurl's SMTP engine. We rely on libcurl
// for the protocol: EHLO, STARTTLS (CURLOPT_USE_SSL), AUTH, the envelope, and
// the dot-stuffing of DATA (a body line starting with "." is sent as ".."; the
// final CRLF.CRLF is added). CURLOPT_CRLF stays off: the encoder already
// writes CRLF line ends and the message must go out byte for byte. One
// recipient per delivery, so CURLOPT_MAIL_RCPT_ALLLOWFAILS is left at its
// default: a refused RCPT ends the transaction.
#include "sinks/email/client.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "sinks/curl.hpp"
#include "sinks/email/encoder.hpp"

namespace tocsin::email {

namespace {

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t nitems, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * nitems, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// What the server last said, and to which command, for the outcome and the
// log. Frozen at QUIT: its "221 Bye" says nothing about the delivery.
struct Transcript {
  std::string last_command;
  std::string last_reply;
  bool quitting = false;
};

std::string first_line(const char* data, std::size_t size) {
  std::string_view text(data, size);
  return std::string(text.substr(0, text.find_first_of("\r\n")));
}

// Only verbs are kept: AUTH LOGIN sends the credentials as bare lines, which
// are never recorded.
void note_command(Transcript& t, const std::string& line) {
  static constexpr std::array<std::string_view, 9> verbs = {"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
                                                            "RCPT", "DATA", "RSET",     "NOOP"};
  const std::string verb = line.substr(0, line.find(' '));
  if (verb == "QUIT") t.quitting = true;
  if (!t.quitting && std::find(verbs.begin(), verbs.end(), verb) != verbs.end()) t.last_command = verb;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto* transcript = static_cast<Transcript*>(user);
  if (type == CURLINFO_HEADER_OUT) note_command(*transcript, first_line(data, size));
  if (type == CURLINFO_HEADER_IN && !transcript->quitting) transcript->last_reply = first_line(data, size);
  return 0;
}

int reply_code(const std::string& reply) {
  if (reply.size() < 3 || !std::all_of(reply.begin(), reply.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  return std::stoi(reply.substr(0, 3));
}

// "Tocsin <tocsin@example.org>" → "<tocsin@example.org>"
std::string envelope_address(const std::string& address) {
  const auto open = address.find('<');
  const auto close = address.find('>', open);
  if (open != std::string::npos && close != std::string::npos) return address.substr(open, close - open + 1);
  return "<" + address + ">";
}

bool plausible_recipient(const std::string& address) {
  constexpr std::size_t max_path = 254;  // RFC 5321 limit on a forward-path
  if (address.empty() || address.size() > max_path || address.find('@') == std::string::npos) return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '<' || c == '>';
  });
}

std::string helo_name(const SmtpConfig& config) {
  if (!config.helo_name.empty()) return config.helo_name;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  return host;
}

std::string server_url(const SmtpConfig& config) {
  const char* scheme = config.tls == SmtpConfig::Tls::implicit ? "smtps://" : "smtp://";
  // The URL path is the name libcurl gives in EHLO.
  return scheme + config.server + "/" + helo_name(config);
}

curl_usessl use_ssl(SmtpConfig::Tls tls) {
  switch (tls) {
    case SmtpConfig::Tls::none:
      return CURLUSESSL_NONE;
    case SmtpConfig::Tls::starttls:
      return CURLUSESSL_TRY;
    case SmtpConfig::Tls::required_starttls:
    case SmtpConfig::Tls::implicit:
      return CURLUSESSL_ALL;
  }
  return CURLUSESSL_ALL;
}

void configure_transport(CURL* curl, const SmtpConfig& config, const std::string& url) {
  const long timeout_ms = static_cast<long>(std::chrono::milliseconds(config.timeout).count());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(use_ssl(config.tls)));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config.ca_file.c_str());
  if (!config.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config.password.c_str());
    curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS, config.auth == SmtpConfig::Auth::login ? "AUTH=LOGIN" : "AUTH=PLAIN");
  }
}

void configure_transcript(CURL* curl, Transcript& transcript) {
  // Verbose only feeds on_debug; nothing is printed.
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &transcript);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
}

DeliveryResult classify(CURLcode rc, const Transcript& t, const char* error_buffer) {
  if (rc == CURLE_OK) return {DeliveryResult::Outcome::delivered, t.last_reply};
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  if (!t.last_reply.empty()) detail += " (server: " + t.last_reply + ")";
  const int code = reply_code(t.last_reply);
  const bool permanent = code >= 500 && code < 600 && (t.last_command == "RCPT" || t.last_command == "DATA");
  return {permanent ? DeliveryResult::Outcome::rejected : DeliveryResult::Outcome::retry, detail};
}

}  // namespace

SmtpSink::SmtpSink(SmtpConfig config, const Clock& clock)
    : config_(std::make_shared<const SmtpConfig>(std::move(config))), clock_(clock) {
  curl_global_init_once();
}

void SmtpSink::reconfigure(SmtpConfig config) {
  auto next = std::make_shared<const SmtpConfig>(std::move(config));
  std::lock_guard lock(mutex_);
  config_ = std::move(next);
}

std::shared_ptr<const SmtpConfig> SmtpSink::current() const {
  std::lock_guard lock(mutex_);
  return config_;
}

DeliveryResult SmtpSink::deliver(const Notification& n) {
  if (!plausible_recipient(n.recipient)) return {DeliveryResult::Outcome::rejected, "invalid recipient address"};
  CurlHandle curl(curl_easy_init());
  if (!curl) return {DeliveryResult::Outcome::retry, "cannot create a libcurl handle"};

  const auto config = current();
  const std::string message = encode_message(n, *config, clock_.wall_ms());
  Upload upload{message};
  Transcript transcript;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const std::string url = server_url(*config);
  const std::string from = envelope_address(config->from);
  CurlList rcpt = append(CurlList(), "<" + n.recipient + ">");

  configure_transport(curl.get(), *config, url);
  configure_transcript(curl.get(), transcript);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  return classify(curl_easy_perform(curl.get()), transcript, error_buffer);
}

}  // namespace tocsin::email
