#pragma once
// Compact string values for the records the correlator keeps in memory (one
// Alert and one Incident per active alert): 8 bytes each instead of a 32-byte
// std::string, read through std::string_view.
//
// Text is an immutable value in a block of its own (a reference count, the
// size, the bytes), shared by copies: an incident's title copied from its
// alert's summary, a row copied into a ChangeSet, cost a count increment, not
// a copy of the bytes. Empty is a null pointer and allocates nothing.
//
// Label is a Text for the values many records repeat (an alert key, a group,
// a priority, a collector, attribute names): equal values share one block,
// found in a process-wide table. The table holds no reference: the last Label
// of a value to go frees its block and takes it out of the table, so the table
// never holds more than the distinct values in use.
//
// Counts are atomic and the table is locked, so records may move between the
// pipeline, the store's writer and the API threads like std::strings.

#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace tocsin {

class Text {
 public:
  Text() noexcept = default;
  Text(std::string_view s);  // NOLINT: implicit, as from std::string
  Text(const std::string& s) : Text(std::string_view(s)) {}
  Text(const char* s) : Text(std::string_view(s)) {}
  Text(const Text& other) noexcept : block_(other.block_) { acquire(block_); }
  Text(Text&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  Text& operator=(const Text& other) noexcept {
    acquire(other.block_);
    release(std::exchange(block_, other.block_));
    return *this;
  }
  Text& operator=(Text&& other) noexcept {
    if (this != &other) release(std::exchange(block_, std::exchange(other.block_, nullptr)));
    return *this;
  }
  ~Text() { release(block_); }

  // Empty reads as "" like an empty std::string, never as a null pointer
  // (sqlite3_bind_text binds a null pointer as NULL).
  std::string_view view() const noexcept {
    return block_ ? std::string_view(block_->bytes(), block_->size()) : std::string_view("", 0);
  }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit by design
  std::string str() const { return std::string(view()); }
  bool empty() const noexcept { return block_ == nullptr; }
  std::size_t size() const noexcept { return block_ ? block_->size() : 0; }
  const char* data() const noexcept { return view().data(); }
  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size(); }
  bool starts_with(std::string_view prefix) const noexcept { return view().starts_with(prefix); }
  bool ends_with(std::string_view suffix) const noexcept { return view().ends_with(suffix); }
  void clear() noexcept { release(std::exchange(block_, nullptr)); }
  // Whether both share one block (true for equal Labels).
  bool same_block(const Text& other) const noexcept { return block_ == other.block_; }

  friend bool operator==(const Text& a, const Text& b) noexcept {
    return a.block_ == b.block_ || a.view() == b.view();
  }
  friend bool operator==(const Text& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const Text& a, const std::string& b) noexcept { return a.view() == b; }
  friend bool operator==(const Text& a, const char* b) noexcept { return a.view() == b; }
  friend std::strong_ordering operator<=>(const Text& a, const Text& b) noexcept { return a.view() <=> b.view(); }
  friend std::strong_ordering operator<=>(const Text& a, std::string_view b) noexcept { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(const Text& a, const std::string& b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const Text& a, const char* b) noexcept {
    return a.view() <=> std::string_view(b);
  }
  friend std::ostream& operator<<(std::ostream& os, const Text& t);
  // std::string has no operator+ for string_view before C++26.
  friend std::string operator+(std::string a, const Text& b) { return std::move(a.append(b.view())); }
  friend std::string operator+(const Text& a, std::string_view b) { return std::string(a.view()).append(b); }
  friend std::string operator+(const Text& a, const std::string& b) { return std::string(a.view()).append(b); }
  friend std::string operator+(const Text& a, const char* b) { return std::string(a.view()).append(b); }
  friend std::string operator+(const char* a, const Text& b) { return std::string(a).append(b.view()); }

 protected:
  // The bytes follow the header; no terminating NUL (read by size).
  struct Block {
    std::atomic<std::uint32_t> refs;
    std::uint32_t size_and_flag;  // high bit: held by the Label table
    static constexpr std::uint32_t interned_bit = 0x8000'0000u;
    std::uint32_t size() const noexcept { return size_and_flag & ~interned_bit; }
    bool interned() const noexcept { return (size_and_flag & interned_bit) != 0; }
    const char* bytes() const noexcept { return reinterpret_cast<const char*>(this + 1); }
    char* bytes() noexcept { return reinterpret_cast<char*>(this + 1); }
  };
  struct Adopt {};
  Text(Block* block, Adopt) noexcept : block_(block) {}
  static Block* allocate(std::string_view s, bool interned);
  static void acquire(Block* b) noexcept {
    if (b) b->refs.fetch_add(1, std::memory_order_relaxed);
  }
  static void release(Block* b) noexcept {
    if (b && b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(b);
  }
  static void destroy(Block* b) noexcept;
  Block* block() const noexcept { return block_; }

 private:
  friend class Label;
  Block* block_ = nullptr;
};

class Label : public Text {
 public:
  Label() noexcept = default;
  Label(std::string_view s) : Text(intern(s), Adopt{}) {}  // NOLINT: implicit, as from std::string
  Label(const std::string& s) : Label(std::string_view(s)) {}
  Label(const char* s) : Label(std::string_view(s)) {}
  // Shares the block of a Text that is already a Label's, else looks it up.
  Label(const Text& t) : Text(share(t), Adopt{}) {}  // NOLINT: implicit

  // Distinct values held by Labels now (for tests and figures).
  static std::size_t distinct_values();

 private:
  struct Table;
  static Table& table();
  static Block* intern(std::string_view s);
  static Block* share(const Text& t);
  static void forget(Block* b) noexcept;
  friend class Text;
};

// A hash of anything that reads as a std::string_view, for unordered
// containers of std::string that are looked up by Text (with std::equal_to<>).
struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

}  // namespace tocsin

template <>
struct std::hash<tocsin::Text> {
  std::size_t operator()(const tocsin::Text& t) const noexcept { return std::hash<std::string_view>()(t.view()); }
};
template <>
struct std::hash<tocsin::Label> {
  std::size_t operator()(const tocsin::Label& t) const noexcept { return std::hash<std::string_view>()(t.view()); }
};
