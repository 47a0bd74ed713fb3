#pragma once
// Compact hash indexes of a CMDB snapshot. With a million CIs, node-based maps
// cost ~50 bytes and a cache miss per key; these open-addressing tables keep
// 8 to 20 bytes per slot in one array and usually answer with one probe.

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <vector>

#include "correlator/cmdb/ci.hpp"

namespace tocsin::cmdb {

inline constexpr std::uint32_t no_ci = 0xffffffffu;

// Slots for `expected` keys at a load factor of at most 0.8, a power of two.
std::size_t table_capacity(std::size_t expected);

// Allocates the arrays of a large table on transparent huge pages where the
// kernel offers them (madvise mode): a lookup is a random access into
// hundreds of megabytes, and with 4 KiB pages each one also misses the TLB.
// Arrays under 2 MiB, and kernels without THP, get ordinary pages.
void* allocate_table(std::size_t bytes, std::size_t alignment);
void free_table(void* p, std::size_t bytes, std::size_t alignment) noexcept;

template <class T>
struct TableAllocator {
  using value_type = T;
  TableAllocator() = default;
  template <class U>
  TableAllocator(const TableAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_table(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_table(p, n * sizeof(T), alignof(T)); }
  friend bool operator==(const TableAllocator&, const TableAllocator&) { return true; }
};

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
    std::vector<Slot, TableAllocator<Slot>> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.ci != no_ci) insert(s.key, s.ci);
    }
  }

  std::vector<Slot, TableAllocator<Slot>> slots_;
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

// String → CI, ASCII case-insensitive or exact. A key of up to 16 bytes is
// kept (folded) in its 32-byte slot, a longer one in one arena of keys: a
// lookup compares in the slot it probes, or in the arena, and never reads
// the CI record or its strings (each a cache miss on a large snapshot).
class NameTable {
 public:
  NameTable(const std::vector<Ci>& cis, bool fold_case) : cis_(&cis), fold_(fold_case) {}

  void reserve(std::size_t expected);
  // The slot already holding an equal key, or nullptr after storing `ref`.
  const KeyRef* insert(const KeyRef& ref);
  const KeyRef* find(std::string_view key) const;
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot) + arena_.capacity(); }

 private:
  static constexpr std::size_t inline_key = 16;
  struct alignas(32) Slot {
    std::uint32_t hash = 0;
    KeyRef ref;
    std::uint32_t size = 0;  // of the key
    union {
      char bytes[inline_key];  // the key, when it fits
      std::uint32_t offset;    // else where it starts in arena_
    } key{};
  };
  std::uint32_t hash(std::string_view key) const;
  // Whether `key` equals the key stored in `s` (folded when fold_ is set).
  bool holds(const Slot& s, std::uint32_t h, std::string_view key) const;
  void store(Slot& s, std::uint32_t h, const KeyRef& ref, std::string_view key);
  void rehash(std::size_t capacity);

  const std::vector<Ci>* cis_;
  bool fold_;
  std::vector<Slot, TableAllocator<Slot>> slots_;
  std::vector<char, TableAllocator<char>> arena_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tocsin::cmdb
