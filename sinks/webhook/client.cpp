// libcurl HTTP(S) POST of one webhook notification. CURLOPT_OPENSOCKETFUNCTION
// sees every address libcurl connects to, after name resolution: the place
// where an allowed URL is held to its allowed destination.
#include "sinks/webhook/client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <memory>
#include <string>

#include "sinks/webhook/allow_list.hpp"
#include "sinks/webhook/encoder.hpp"

namespace tocsin::webhook {

namespace {

Counter& refused_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_webhook_refused_total",
                   "Webhook POSTs refused before sending: bad URL, URL or address outside notifications.webhook.allow",
                   {{"reason", std::string(reason)}});
}

struct Guard {
  const Url* url;
  const std::vector<AllowEntry>* allow;
  bool refused = false;
};

curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<Guard*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN ||
      !connection_allowed(*guard->url, *guard->allow, reinterpret_cast<const sockaddr*>(&address->addr))) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

DeliveryResult refuse(StatsRegistry& stats, std::string_view reason, std::string detail) {
  refused_total(stats, reason).inc();
  return {DeliveryResult::Outcome::rejected, std::move(detail)};
}

}  // namespace

WebhookSink::WebhookSink(WebhookConfig config, StatsRegistry& stats)
    : config_(std::make_shared<const WebhookConfig>(std::move(config))), stats_(stats) {
  curl_global_init_once();
  for (auto reason : refusal_reasons) refused_total(stats_, reason);
}

void WebhookSink::reconfigure(WebhookConfig config) {
  auto next = std::make_shared<const WebhookConfig>(std::move(config));
  std::lock_guard lock(mutex_);
  config_ = std::move(next);
}

std::shared_ptr<const WebhookConfig> WebhookSink::current() const {
  std::lock_guard lock(mutex_);
  return config_;
}

DeliveryResult WebhookSink::deliver(const Notification& n) {
  auto config = current();
  ParsedUrl parsed = parse_url(n.recipient);
  if (!parsed.url) return refuse(stats_, "bad_url", "not a usable URL: " + parsed.error);
  const Url& url = *parsed.url;
  if (allowed(url, config->allow) == nullptr)
    return refuse(stats_, "not_allowed",
                  url.host + ":" + std::to_string(url.port) + " is not in notifications.webhook.allow");

  const HttpPost post = encode_post(n, *config);
  // A connection kept from before a reload was checked against the old
  // allow-list only.
  if (curl_config_ != config) {
    curl_.reset();
    curl_config_ = config;
  }
  CURL* c = reusable_handle(curl_);
  if (c == nullptr) return {DeliveryResult::Outcome::retry, "curl_easy_init failed"};
  CurlList headers;
  for (const auto& [name, value] : post.headers) headers = append(std::move(headers), name + ": " + value);
  // libcurl sends "Expect: 100-continue" for larger bodies; receivers differ in
  // how they answer it, and the body is small.
  headers = append(std::move(headers), "Expect:");
  Guard guard{&url, &config->allow};
  const long timeout_ms = static_cast<long>(config->timeout.count() * 1000);
  curl_easy_setopt(c, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never the environment's proxy: it would bypass the allow-list
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char*, std::size_t size, std::size_t nitems, void*) {
    return size * nitems;  // the receiver's body is not needed
  });
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(c);
  if (guard.refused)
    return refuse(stats_, "address_not_allowed",
                  url.host + " resolved to an address outside notifications.webhook.allow");
  if (rc != CURLE_OK) return {DeliveryResult::Outcome::retry, curl_easy_strerror(rc)};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  const std::string detail = "HTTP " + std::to_string(status);
  switch (classify_status(status)) {
    case StatusClass::delivered:
      return {DeliveryResult::Outcome::delivered, detail};
    case StatusClass::retry:
      return {DeliveryResult::Outcome::retry, detail};
    case StatusClass::rejected:
      break;
  }
  return {DeliveryResult::Outcome::rejected, detail};
}

}  // namespace tocsin::webhook
