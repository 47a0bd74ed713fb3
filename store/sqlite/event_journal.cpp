#include "store/sqlite/event_journal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tocsin::sqlite {

namespace {

std::uint32_t load_u32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
}

void store_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
}

std::uint32_t crc_of(std::string_view body) {
  return static_cast<std::uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void sync_directory(const std::string& directory) {
  int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) fail("event journal: open " + directory);
  const int rc = ::fsync(dir);
  ::close(dir);
  if (rc != 0) fail("event journal: fsync " + directory);
}

}  // namespace

EventJournal::EventJournal(std::string directory) : directory_(std::move(directory)) {}

EventJournal::~EventJournal() {
  for (auto& [segment, fd] : fds_) ::close(fd);
}

std::string EventJournal::file_name(std::uint32_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "/%08u.log", segment);
  return directory_ + name;
}

int EventJournal::fd(std::uint32_t segment, bool create) {
  if (auto it = fds_.find(segment); it != fds_.end()) return it->second;
  int fd = -1;
  if (directory_.empty()) {
    if (!create) throw std::runtime_error("event journal: no segment " + std::to_string(segment) + " in memory");
    fd = ::memfd_create("tocsin-events", MFD_CLOEXEC);
    if (fd < 0) fail("event journal: memfd_create");
  } else {
    const std::string name = file_name(segment);
    fd = ::open(name.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      const bool made = ::mkdir(directory_.c_str(), 0750) == 0;
      if (!made && errno != EEXIST) fail("event journal: mkdir " + directory_);
      fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
      if (fd >= 0) {
        // The new file's name (and a new directory's) must survive a crash as
        // well as its records.
        sync_directory(directory_);
        if (made) {
          const auto slash = directory_.find_last_of('/');
          sync_directory(slash == std::string::npos ? "." : slash == 0 ? "/" : directory_.substr(0, slash));
        }
      }
    }
    if (fd < 0) fail("event journal: open " + name);
  }
  fds_.emplace(segment, fd);
  return fd;
}

void EventJournal::frame(std::string& out, std::string_view body) {
  if (body.size() > largest_record) throw std::runtime_error("event journal: record over 64 MiB");
  store_u32(out, static_cast<std::uint32_t>(body.size()));
  store_u32(out, crc_of(body));
  out.append(body);
}

void EventJournal::write(JournalPosition at, std::string_view records) {
  const int f = fd(at.segment, true);
  std::uint64_t offset = at.offset;
  while (!records.empty()) {
    const ssize_t n = ::pwrite(f, records.data(), records.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("event journal: write " + file_name(at.segment));
    }
    records.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  if (!directory_.empty() && ::fdatasync(f) != 0) fail("event journal: fdatasync " + file_name(at.segment));
}

void EventJournal::truncate(JournalPosition at) {
  const int f = fd(at.segment, true);
  if (::ftruncate(f, static_cast<off_t>(at.offset)) != 0) fail("event journal: truncate " + file_name(at.segment));
  if (!directory_.empty() && ::fdatasync(f) != 0) fail("event journal: fdatasync " + file_name(at.segment));
}

std::optional<std::uint64_t> EventJournal::size(std::uint32_t segment) {
  struct stat st {};
  if (auto it = fds_.find(segment); it != fds_.end()) {
    if (::fstat(it->second, &st) != 0) fail("event journal: stat " + file_name(segment));
    return static_cast<std::uint64_t>(st.st_size);
  }
  if (directory_.empty() || ::stat(file_name(segment).c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.st_size);
}

void EventJournal::read_exactly(int f, std::uint32_t segment, std::uint64_t offset, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::pread(f, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("event journal: read " + file_name(segment));
    }
    if (n == 0) {
      throw std::runtime_error("event journal: " + file_name(segment) + " ends inside the record at offset " +
                               std::to_string(offset));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

std::uint32_t EventJournal::body_size(const char* header, std::uint32_t segment, std::uint64_t offset) const {
  const std::uint32_t size = load_u32(header);
  if (size > largest_record) {
    throw std::runtime_error("event journal: corrupt record length at " + file_name(segment) + ":" +
                             std::to_string(offset));
  }
  return size;
}

void EventJournal::check_crc(const char* header, std::string_view body, std::uint32_t segment,
                             std::uint64_t offset) const {
  if (crc_of(body) != load_u32(header + 4)) {
    throw std::runtime_error("event journal: CRC mismatch of the record at " + file_name(segment) + ":" +
                             std::to_string(offset));
  }
}

std::string EventJournal::read(std::int64_t reference) {
  const JournalPosition at = JournalPosition::of(reference);
  const int f = fd(at.segment, false);
  char header[header_size];
  read_exactly(f, at.segment, at.offset, header, header_size);
  std::string body(body_size(header, at.segment, at.offset), '\0');
  read_exactly(f, at.segment, at.offset + header_size, body.data(), body.size());
  check_crc(header, body, at.segment, at.offset);
  return body;
}

void EventJournal::scan(std::uint32_t segment, std::uint64_t from, std::uint64_t end,
                        const std::function<void(std::int64_t, std::string_view)>& visit) {
  if (from >= end) return;
  const int f = fd(segment, false);
  constexpr std::uint64_t chunk_size = 4u << 20;
  std::string chunk;
  std::uint64_t chunk_at = from;  // offset of chunk[0]
  // The bytes [offset, offset + size) of the segment, read in large chunks.
  auto bytes = [&](std::uint64_t offset, std::uint64_t size) -> const char* {
    if (offset + size > end) {
      throw std::runtime_error("event journal: " + file_name(segment) + " ends inside the record at offset " +
                               std::to_string(offset));
    }
    if (offset < chunk_at || offset + size > chunk_at + chunk.size()) {
      chunk_at = offset;
      chunk.resize(std::min(end - offset, std::max(size, chunk_size)));
      read_exactly(f, segment, offset, chunk.data(), chunk.size());
    }
    return chunk.data() + (offset - chunk_at);
  };
  for (std::uint64_t offset = from; offset < end;) {
    const std::uint32_t size = body_size(bytes(offset, header_size), segment, offset);
    const char* record = bytes(offset, header_size + size);
    const std::string_view body(record + header_size, size);
    check_crc(record, body, segment, offset);
    visit(JournalPosition{segment, offset}.reference(), body);
    offset += header_size + size;
  }
}

}  // namespace tocsin::sqlite
