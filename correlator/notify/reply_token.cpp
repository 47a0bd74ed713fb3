// HMAC-SHA256 reply tokens (see reply_token.hpp). Comparison is constant-time.
#include "correlator/notify/reply_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

namespace tocsin::notify {

namespace {
std::string signature(std::int64_t incident_id, std::string_view secret) {
  const std::string message = std::to_string(incident_id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 0xF];
  }
  return out;
}
}  // namespace

std::string reply_token(std::int64_t incident_id, std::string_view secret) {
  return "TOC-" + std::to_string(incident_id) + "-" + signature(incident_id, secret);
}

std::optional<std::int64_t> verify_reply_token(std::string_view subject, std::string_view secret) {
  const std::size_t start = subject.find("[TOC-");
  if (start == std::string_view::npos || secret.empty()) return std::nullopt;
  std::string_view rest = subject.substr(start + 5);
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (ec != std::errc{} || id <= 0) return std::nullopt;
  rest = rest.substr(static_cast<std::size_t>(p - rest.data()));
  if (rest.size() < 10 || rest[0] != '-' || rest[9] != ']') return std::nullopt;
  const std::string expected = signature(id, secret);
  std::string given(rest.substr(1, 8));
  for (char& c : given) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  if (CRYPTO_memcmp(expected.data(), given.data(), 8) != 0) return std::nullopt;
  return id;
}

}  // namespace tocsin::notify
