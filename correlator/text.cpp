// The blocks of Text and the table that makes equal Labels share one.
#include "correlator/text.hpp"

#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <ostream>
#include <stdexcept>

#include <boost/unordered/unordered_flat_set.hpp>

namespace tocsin {

Text::Text(std::string_view s) : block_(s.empty() ? nullptr : allocate(s, false)) {}

std::ostream& operator<<(std::ostream& os, const Text& t) { return os << t.view(); }

Text::Block* Text::allocate(std::string_view s, bool interned) {
  if (s.size() >= Block::interned_bit) throw std::length_error("Text: value too long");
  void* memory = ::operator new(sizeof(Block) + s.size());
  auto* b = new (memory) Block{{1}, static_cast<std::uint32_t>(s.size()) | (interned ? Block::interned_bit : 0u)};
  std::memcpy(b->bytes(), s.data(), s.size());
  return b;
}

void Text::destroy(Block* b) noexcept {
  if (b->interned()) Label::forget(b);
  b->~Block();
  ::operator delete(b);
}

// The distinct values held by Labels, found by their bytes. A block is in the
// table from its first Label until its count drops to zero; the table holds no
// count of its own. A block whose count reached zero may still be in it for a
// moment (its last Label is on its way to the lock): a lookup never revives it
// but puts a new block in its place, and the dying block takes itself out only
// if it is still the one there.
struct Label::Table {
  static std::string_view view(const Block* b) noexcept { return std::string_view(b->bytes(), b->size()); }
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(const Block* b) const noexcept { return (*this)(view(b)); }
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
  };
  struct Equal {
    using is_transparent = void;
    static std::string_view of(const Block* b) noexcept { return view(b); }
    static std::string_view of(std::string_view s) noexcept { return s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const noexcept {
      return of(a) == of(b);
    }
  };
  std::mutex mutex;
  boost::unordered_flat_set<Block*, Hash, Equal> blocks;
};

// Never destroyed: Labels in static objects may outlive any other static.
Label::Table& Label::table() {
  static Table* t = new Table;
  return *t;
}

Text::Block* Label::intern(std::string_view s) {
  if (s.empty()) return nullptr;
  Table& t = table();
  std::lock_guard lock(t.mutex);
  if (auto it = t.blocks.find(s); it != t.blocks.end()) {
    Block* b = *it;
    // Take a count only while the block is alive (its count not yet zero).
    std::uint32_t refs = b->refs.load(std::memory_order_relaxed);
    while (refs != 0 && !b->refs.compare_exchange_weak(refs, refs + 1, std::memory_order_acquire))
      ;
    if (refs != 0) return b;
    t.blocks.erase(it);  // dying: replaced below, frees itself
  }
  Block* b = allocate(s, true);
  t.blocks.insert(b);
  return b;
}

void Label::forget(Block* b) noexcept {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  if (auto it = t.blocks.find(Table::view(b)); it != t.blocks.end() && *it == b) t.blocks.erase(it);
}

Text::Block* Label::share(const Text& t) {
  Block* b = t.block_;
  if (!b || !b->interned()) return intern(t.view());
  acquire(b);
  return b;
}

std::size_t Label::distinct_values() {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  return t.blocks.size();
}

}  // namespace tocsin
