// libcurl exchange with the SMS gateway; bounded in time and in answer size.
#include "sinks/sms/client.hpp"

#include <curl/curl.h>

#include <memory>

#include "sinks/sms/encoder.hpp"
#include "sinks/sms/request.hpp"

namespace tocsin::sms {

namespace {

constexpr std::size_t max_answer_bytes = 64 * 1024;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  std::size_t n = size * count;
  std::size_t room = max_answer_bytes - std::min(max_answer_bytes, answer->size());
  answer->append(data, std::min(n, room));
  return n;
}

// `c` comes from reusable_handle(): a connection kept from the last request
// to the same gateway is reused.
DeliveryResult send(CURL* c, const GatewayConfig& config, const HttpRequest& request) {
  std::string answer;
  CurlList headers;
  for (const auto& [name, value] : request.headers) headers = append(std::move(headers), name + ": " + value);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == Method::post) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  if (config.preset == Preset::generic && config.basic_auth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config.password.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return {DeliveryResult::Outcome::retry, std::string("gateway unreachable: ") + curl_easy_strerror(rc)};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return classify_response(config, static_cast<int>(status), answer);
}

}  // namespace

HttpSmsSink::HttpSmsSink(SmsConfig config) : config_(std::make_shared<const SmsConfig>(std::move(config))) {
  curl_global_init_once();
}

void HttpSmsSink::reconfigure(SmsConfig config) {
  auto next = std::make_shared<const SmsConfig>(std::move(config));
  std::lock_guard lock(mutex_);
  config_ = std::move(next);
}

std::shared_ptr<const SmsConfig> HttpSmsSink::current() const {
  std::lock_guard lock(mutex_);
  return config_;
}

DeliveryResult HttpSmsSink::deliver(const Notification& n) {
  const auto config = current();
  EncodedSms sms = encode_sms(n.body, config->encoder);
  DeliveryResult result{DeliveryResult::Outcome::rejected, "empty text"};
  for (std::size_t part = 0; part < sms.parts.size(); ++part) {
    CURL* c = reusable_handle(curl_);
    if (c == nullptr) return {DeliveryResult::Outcome::retry, "cannot initialize libcurl"};
    result = send(c, config->gateway, build_request(config->gateway, n, sms, part));
    if (result.outcome != DeliveryResult::Outcome::delivered) return result;
  }
  result.detail += " (" + std::string(to_string(sms.coding)) + ", " + std::to_string(sms.segments) + " segment(s)" +
                   (sms.truncated ? ", truncated)" : ")");
  return result;
}

}  // namespace tocsin::sms
