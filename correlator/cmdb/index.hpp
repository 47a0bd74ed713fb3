#pragma once
// Compact hash indexes of a CMDB snapshot. With a million CIs, node-based maps
// cost ~50 bytes and a cache miss per key; these open-addressing tables keep
// 8 to 20 bytes per slot in one array and usually answer with one probe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "correlator/cmdb/ci.hpp"

namespace tocsin::cmdb {

inline constexpr std::uint32_t no_ci = 0xffffffffu;

// Slots for `expected` keys at a load factor of at most 0.8, a power of two.
std::size_t table_capacity(std::size_t expected);

inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Address (or masked prefix) → CI index. Key is std::uint32_t for IPv4 or
// std::array<std::uint8_t, 16> for IPv6.
template <class Key>
class AddressTable {
 public:
  void reserve(std::size_t expected) { rehash(table_capacity(expected)); }

  // The CI already holding `key`, or no_ci after storing `ci` under it.
  std::uint32_t insert(const Key& key, std::uint32_t ci) {
    if ((size_ + 1) * 5 > slots_.size() * 4) rehash(table_capacity(size_ + 1));
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.ci == no_ci) {
        s = Slot{key, ci};
        ++size_;
        return no_ci;
      }
      if (s.key == key) return s.ci;
    }
  }

  std::uint32_t find(const Key& key) const {
    if (size_ == 0) return no_ci;
    for (std::size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.ci == no_ci) return no_ci;
      if (s.key == key) return s.ci;
    }
  }

  std::size_t size() const { return size_; }
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    Key key{};
    std::uint32_t ci = no_ci;
  };

  static std::uint64_t hash(std::uint32_t k) { return mix(k); }
  static std::uint64_t hash(const std::array<std::uint8_t, 16>& k) {
    std::uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; ++i) hi = hi << 8 | k[i];
    for (int i = 8; i < 16; ++i) lo = lo << 8 | k[i];
    return mix(hi ^ mix(lo));
  }

  void rehash(std::size_t capacity) {
    if (capacity <= slots_.size()) return;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.ci != no_ci) insert(s.key, s.ci);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// Which string of a CI a NameTable slot points at: its id, name, FQDN or one
// of its aliases. Keys are not copied: the table refers into the CIs.
enum class KeyField : std::uint8_t { id, name, fqdn, alias };

struct KeyRef {
  std::uint32_t ci = no_ci;
  KeyField field = KeyField::name;
  std::uint16_t alias = 0;
};

std::string_view key_of(const Ci& ci, const KeyRef& ref);

// String → CI, ASCII case-insensitive or exact. 12 bytes per slot.
class NameTable {
 public:
  NameTable(const std::vector<Ci>& cis, bool fold_case) : cis_(&cis), fold_(fold_case) {}

  void reserve(std::size_t expected);
  // The slot already holding an equal key, or nullptr after storing `ref`.
  const KeyRef* insert(const KeyRef& ref);
  const KeyRef* find(std::string_view key) const;
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    KeyRef ref;
  };
  std::uint32_t hash(std::string_view key) const;
  bool equal(std::string_view a, std::string_view b) const;
  void rehash(std::size_t capacity);

  const std::vector<Ci>* cis_;
  bool fold_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tocsin::cmdb
