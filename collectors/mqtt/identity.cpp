// Message identities for dedup of broker redeliveries.
#include "collectors/mqtt/identity.hpp"

#include <openssl/evp.h>

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
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  add_part(ctx, session);
  add_part(ctx, topic);
  add_part(ctx, std::to_string(packet_id));
  add_part(ctx, payload);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, digest, &size);
  EVP_MD_CTX_free(ctx);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

bool RecentMessages::remember(const std::string& identity) {
  if (!set_.insert(identity).second) return false;
  order_.push_back(identity);
  if (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

}  // namespace tocsin::mqtt
