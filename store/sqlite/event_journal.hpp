#pragma once
// The embedded store's event journal: every stored event as one record
// appended to segment files beside the database (`<db>-events/00000001.log`,
// …), written once and never changed; incident timeline entries go there
// too. SQLite keeps the alerts, incidents and the rest; events, the bulk of
// what is written, cost an append instead of a row and an index entry each.
//
// A record is its body's length and CRC-32 (4 bytes each, little-endian)
// followed by the body. Its position, the segment number times 2^40 plus the
// offset in the segment, is the record's reference. The journal has no commit
// point of its own: the store's transaction records how far the journal is
// committed (see SqliteStore::commit), and bytes past that point (a commit
// that failed or was cut off by a crash) are never read and are overwritten by
// the next commit. Readers only follow references the database committed, so
// any number of them read while one writer appends.
//
// A journal without a directory keeps its segments in anonymous memory files,
// for a database in memory.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::sqlite {

struct JournalPosition {
  std::uint32_t segment = 1;
  std::uint64_t offset = 0;

  static constexpr int offset_bits = 40;
  std::int64_t reference() const {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(segment) << offset_bits) | offset);
  }
  static JournalPosition of(std::int64_t reference) {
    const auto r = static_cast<std::uint64_t>(reference);
    return {static_cast<std::uint32_t>(r >> offset_bits), r & ((std::uint64_t{1} << offset_bits) - 1)};
  }
  friend bool operator==(const JournalPosition&, const JournalPosition&) = default;
};

class EventJournal {
 public:
  static constexpr std::size_t header_size = 8;
  static constexpr std::uint32_t largest_record = 64u << 20;

  // `directory` empty: segments in memory.
  explicit EventJournal(std::string directory);
  ~EventJournal();
  EventJournal(const EventJournal&) = delete;
  EventJournal& operator=(const EventJournal&) = delete;

  const std::string& directory() const { return directory_; }

  // Appends `header + body` for each body of `records` (already framed with
  // frame()) at `at`, then makes them durable (fdatasync; a new segment file's
  // directory entry too). Throws std::runtime_error naming the file.
  void write(JournalPosition at, std::string_view records);

  // Cuts `at.segment` to `at.offset` (durably): what lies past the committed
  // end goes before the journal moves on to a new segment.
  void truncate(JournalPosition at);

  // Frames `body` onto `out`: length, CRC-32, body.
  static void frame(std::string& out, std::string_view body);

  // The body of the record at `reference`. Throws std::runtime_error when the
  // record is cut short or its CRC does not match.
  std::string read(std::int64_t reference);

  // The size of a segment's file; none when it does not exist.
  std::optional<std::uint64_t> size(std::uint32_t segment);

  // Calls `visit(reference, body)` for each record of `segment` from offset
  // `from` (a record's start) up to `end` (exclusive), in order.
  void scan(std::uint32_t segment, std::uint64_t from, std::uint64_t end,
            const std::function<void(std::int64_t, std::string_view)>& visit);

 private:
  int fd(std::uint32_t segment, bool create);
  std::string file_name(std::uint32_t segment) const;
  // The body's length from a record's header, refused when over the limit.
  std::uint32_t body_size(const char* header, std::uint32_t segment, std::uint64_t offset) const;
  void check_crc(const char* header, std::string_view body, std::uint32_t segment, std::uint64_t offset) const;
  void read_exactly(int fd, std::uint32_t segment, std::uint64_t offset, char* data, std::size_t size);

  std::string directory_;
  std::map<std::uint32_t, int> fds_;
};

}  // namespace tocsin::sqlite
