#pragma once
// Syslog over a byte stream (TCP, TLS): splits the stream into frames per
// RFC 6587 before the parser sees them. Pure: bytes in, frames and counted
// rejection reasons out; the transport owns the sockets.
//
// Each frame chooses its own framing from its first byte, as rsyslog does:
//   digit → octet counting  "MSG-LEN SP SYSLOG-MSG"   (RFC 6587 3.4.1, RFC 5425)
//   '<'   → non-transparent "SYSLOG-MSG LF"            (RFC 6587 3.4.2; CRLF and NUL
//                                                       are accepted as trailers)
// Empty frames (a bare LF, CR or NUL between frames) are skipped silently.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::syslog {

inline constexpr std::size_t kDefaultMaxFrame = 64 * 1024;

enum class FramingError : std::uint8_t {
  frame_too_long,   // LF frame over the limit: cut to the limit, rest of the line discarded
  bad_octet_count,  // MSG-LEN malformed or over the limit: fatal, octet counting cannot resync
  not_syslog,       // first byte of a frame is neither a digit nor '<': fatal
  truncated,        // the stream ended inside an octet-counted frame
};

// Stable names, used as metric labels.
std::string_view to_string(FramingError e);

class StreamFramer {
 public:
  explicit StreamFramer(std::size_t max_frame = kDefaultMaxFrame);

  // Consumes all of `bytes`. After a fatal error further bytes are ignored.
  void feed(std::string_view bytes);
  // The peer closed the stream: an unterminated LF frame is delivered (as
  // rsyslog does), an incomplete octet-counted frame is rejected as truncated.
  void finish();

  // Frames completed since the last clear(), framing removed. The views stay
  // valid until the next feed(), finish() or clear().
  std::span<const std::string_view> frames();
  // Rejections since the last clear(), in stream order.
  std::span<const FramingError> rejections() const { return rejections_; }
  // Drops delivered frames and rejections; keeps the frame in progress.
  void clear();

  // Set once the stream cannot be resynchronized: the connection must close.
  std::optional<FramingError> fatal() const { return fatal_; }
  std::size_t max_frame() const { return max_frame_; }

 private:
  enum class State : std::uint8_t { frame_start, octet_count, octet_body, lf_body, lf_discard, failed };
  struct Span {
    std::size_t offset;
    std::size_t size;
  };

  void on_frame_start(std::string_view& in);
  void on_octet_count(std::string_view& in);
  void on_octet_body(std::string_view& in);
  void on_lf_body(std::string_view& in);
  void on_lf_discard(std::string_view& in);
  void end_lf_frame(bool stripped_lf);
  void complete_frame(std::size_t size);
  void fail(FramingError e);
  std::size_t current_size() const { return arena_.size() - frame_offset_; }

  std::size_t max_frame_;
  State state_ = State::frame_start;
  std::uint64_t octets_left_ = 0;  // octet_count: MSG-LEN so far; octet_body: bytes still due
  int digits_ = 0;
  // Completed frames followed by the frame in progress, which starts at frame_offset_.
  std::string arena_;
  std::size_t frame_offset_ = 0;
  std::vector<Span> spans_;
  std::vector<std::string_view> views_;
  std::vector<FramingError> rejections_;
  std::optional<FramingError> fatal_;
};

}  // namespace tocsin::syslog
