// Message identities for dedup of broker redeliveries.
#include "collectors/mqtt/identity.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <functional>
#include <memory>

namespace tocsin::mqtt {

namespace {
void add_part(EVP_MD_CTX* ctx, std::string_view part) {
  // Length-prefixed so that ("ab","c") and ("a","bc") differ.
  std::uint64_t size = part.size();
  EVP_DigestUpdate(ctx, &size, sizeof size);
  EVP_DigestUpdate(ctx, part.data(), part.size());
}
}  // namespace

std::string message_identity(std::string_view session, std::string_view topic, int packet_id,
                             std::string_view payload) {
  // Fetched once: EVP_sha256() alone makes every EVP_DigestInit_ex look the
  // algorithm up again (OpenSSL 3), and each thread keeps its context.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), sha256, nullptr);
  add_part(ctx.get(), session);
  add_part(ctx.get(), topic);
  char id[16];
  auto [end, ec] = std::to_chars(id, id + sizeof id, packet_id);
  add_part(ctx.get(), std::string_view(id, static_cast<std::size_t>(end - id)));
  add_part(ctx.get(), payload);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (unsigned i = 0; i < 16; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

// Identities learnt back from the store are what message_identity wrote; any
// other text still gets a key of its own, from a hash of it.
RecentMessages::Key RecentMessages::key(std::string_view identity) {
  Key k;
  if (identity.size() == 32) {
    auto high = std::from_chars(identity.data(), identity.data() + 16, k.high, 16);
    auto low = std::from_chars(identity.data() + 16, identity.data() + 32, k.low, 16);
    if (high.ec == std::errc() && high.ptr == identity.data() + 16 && low.ec == std::errc() &&
        low.ptr == identity.data() + 32)
      return k;
  }
  return Key{~std::uint64_t{0}, std::hash<std::string_view>{}(identity)};
}

bool RecentMessages::remember(const std::string& identity) {
  const Key k = key(identity);
  if (!set_.insert(k).second) return false;
  order_.push_back(k);
  if (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

}  // namespace tocsin::mqtt
