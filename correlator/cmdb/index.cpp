// Case-folding string index over the CIs of a snapshot.
#include "correlator/cmdb/index.hpp"

#include <sys/mman.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace tocsin::cmdb {

namespace {
// Hostnames are ASCII and case-insensitive (RFC 4343); no locale involved.
inline unsigned char fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
}  // namespace

namespace {
constexpr std::size_t huge_page = 2 << 20;
std::size_t rounded_to_huge_pages(std::size_t bytes) { return (bytes + huge_page - 1) / huge_page * huge_page; }
}  // namespace

void* allocate_table(std::size_t bytes, std::size_t alignment) {
  if (bytes < huge_page) return ::operator new(bytes, std::align_val_t{alignment});
  const std::size_t size = rounded_to_huge_pages(bytes);
  void* p = std::aligned_alloc(huge_page, size);
  if (!p) throw std::bad_alloc();
  // A hint, given before the first touch so that faults map huge pages.
  ::madvise(p, size, MADV_HUGEPAGE);
  return p;
}

void free_table(void* p, std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes < huge_page)
    ::operator delete(p, std::align_val_t{alignment});
  else
    std::free(p);
}

std::size_t table_capacity(std::size_t expected) {
  std::size_t wanted = expected + expected / 4 + 1;
  return std::bit_ceil(std::max<std::size_t>(wanted, 8));
}

std::string_view key_of(const Ci& ci, const KeyRef& ref) {
  switch (ref.field) {
    case KeyField::id: return ci.id;
    case KeyField::name: return ci.name;
    case KeyField::fqdn: return ci.fqdn;
    case KeyField::alias: return ci.aliases[ref.alias];
  }
  return {};
}

std::uint32_t NameTable::hash(std::string_view key) const {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) h = (h ^ (fold_ ? fold(c) : c)) * 0x100000001b3ULL;
  return static_cast<std::uint32_t>(mix(h));
}

bool NameTable::holds(const Slot& s, std::uint32_t h, std::string_view key) const {
  if (s.hash != h || s.size != key.size()) return false;
  const char* stored = key.size() <= inline_key ? s.key.bytes : arena_.data() + s.key.offset;
  if (!fold_) return std::memcmp(stored, key.data(), key.size()) == 0;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (static_cast<unsigned char>(stored[i]) != fold(static_cast<unsigned char>(key[i]))) return false;
  }
  return true;
}

void NameTable::reserve(std::size_t expected) { rehash(table_capacity(expected)); }

void NameTable::rehash(std::size_t capacity) {
  if (capacity <= slots_.size()) return;
  std::vector<Slot, TableAllocator<Slot>> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (const Slot& s : old) {
    if (s.ref.ci == no_ci) continue;
    std::size_t i = s.hash & mask_;
    while (slots_[i].ref.ci != no_ci) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

const KeyRef* NameTable::insert(const KeyRef& ref) {
  if ((size_ + 1) * 5 > slots_.size() * 4) rehash(table_capacity(size_ + 1));
  std::string_view key = key_of((*cis_)[ref.ci], ref);
  std::uint32_t h = hash(key);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.ref.ci == no_ci) {
      store(s, h, ref, key);
      ++size_;
      return nullptr;
    }
    if (holds(s, h, key)) return &s.ref;
  }
}

void NameTable::store(Slot& s, std::uint32_t h, const KeyRef& ref, std::string_view key) {
  if (key.size() > std::numeric_limits<std::uint32_t>::max() - arena_.size())
    throw std::length_error("CMDB name index: keys exceed 4 GiB");
  s = Slot{};
  s.hash = h;
  s.ref = ref;
  s.size = static_cast<std::uint32_t>(key.size());
  char* out = s.key.bytes;
  if (key.size() > inline_key) {
    s.key.offset = static_cast<std::uint32_t>(arena_.size());
    arena_.resize(arena_.size() + key.size());
    out = arena_.data() + s.key.offset;
  }
  for (std::size_t i = 0; i < key.size(); ++i)
    out[i] = fold_ ? static_cast<char>(fold(static_cast<unsigned char>(key[i]))) : key[i];
}

const KeyRef* NameTable::find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  std::uint32_t h = hash(key);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.ref.ci == no_ci) return nullptr;
    if (holds(s, h, key)) return &s.ref;
  }
}

}  // namespace tocsin::cmdb
