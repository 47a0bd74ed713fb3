// Case-folding string index over the CIs of a snapshot.
#include "correlator/cmdb/index.hpp"

#include <bit>

namespace tocsin::cmdb {

namespace {
// Hostnames are ASCII and case-insensitive (RFC 4343); no locale involved.
inline unsigned char fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
}  // namespace

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

bool NameTable::equal(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  if (!fold_) return a == b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

void NameTable::reserve(std::size_t expected) { rehash(table_capacity(expected)); }

void NameTable::rehash(std::size_t capacity) {
  if (capacity <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
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
      s = Slot{h, ref};
      ++size_;
      return nullptr;
    }
    if (s.hash == h && equal(key_of((*cis_)[s.ref.ci], s.ref), key)) return &s.ref;
  }
}

const KeyRef* NameTable::find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  std::uint32_t h = hash(key);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.ref.ci == no_ci) return nullptr;
    if (s.hash == h && equal(key_of((*cis_)[s.ref.ci], s.ref), key)) return &s.ref;
  }
}

}  // namespace tocsin::cmdb
