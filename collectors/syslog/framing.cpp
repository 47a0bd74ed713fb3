// RFC 6587 stream framing for the syslog TCP and TLS listeners. A byte-driven
// state machine, so a frame split across any number of reads decodes the same
// as one read.
#include "collectors/syslog/framing.hpp"

#include <algorithm>

namespace tocsin::syslog {

namespace {
// RFC 6587 3.4.1 lets MSG-LEN be any size; ten digits is already far beyond
// any sane frame and keeps the arithmetic well inside 64 bits.
constexpr int kMaxOctetCountDigits = 10;
constexpr std::string_view kTrailers{"\n\0", 2};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string_view to_string(FramingError e) {
  switch (e) {
    case FramingError::frame_too_long: return "frame_too_long";
    case FramingError::bad_octet_count: return "bad_octet_count";
    case FramingError::not_syslog: return "not_syslog";
    case FramingError::truncated: return "truncated";
  }
  return "unknown";
}

StreamFramer::StreamFramer(std::size_t max_frame) : max_frame_(std::max<std::size_t>(max_frame, 1)) {}

void StreamFramer::feed(std::string_view in) {
  while (!in.empty()) {
    switch (state_) {
      case State::frame_start: on_frame_start(in); break;
      case State::octet_count: on_octet_count(in); break;
      case State::octet_body: on_octet_body(in); break;
      case State::lf_body: on_lf_body(in); break;
      case State::lf_discard: on_lf_discard(in); break;
      case State::failed: return;
    }
  }
}

void StreamFramer::finish() {
  switch (state_) {
    case State::octet_count:
    case State::octet_body:
      rejections_.push_back(FramingError::truncated);
      arena_.resize(frame_offset_);
      break;
    case State::lf_body: end_lf_frame(false); break;
    case State::frame_start:
    case State::lf_discard:
    case State::failed: break;
  }
  if (state_ != State::failed) state_ = State::frame_start;
}

std::span<const std::string_view> StreamFramer::frames() {
  views_.clear();
  std::string_view arena(arena_);
  for (const Span& s : spans_) views_.push_back(arena.substr(s.offset, s.size));
  return views_;
}

void StreamFramer::clear() {
  arena_.erase(0, frame_offset_);
  frame_offset_ = 0;
  spans_.clear();
  views_.clear();
  rejections_.clear();
}

void StreamFramer::on_frame_start(std::string_view& in) {
  char c = in.front();
  if (c == '\n' || c == '\r' || c == '\0') {
    in.remove_prefix(1);
  } else if (c == '<') {
    state_ = State::lf_body;
  } else if (is_digit(c) && c != '0') {  // MSG-LEN = NONZERO-DIGIT *DIGIT
    octets_left_ = static_cast<std::uint64_t>(c - '0');
    digits_ = 1;
    state_ = State::octet_count;
    in.remove_prefix(1);
  } else {
    fail(is_digit(c) ? FramingError::bad_octet_count : FramingError::not_syslog);
  }
}

void StreamFramer::on_octet_count(std::string_view& in) {
  char c = in.front();
  in.remove_prefix(1);
  if (c == ' ') {
    if (octets_left_ > max_frame_) return fail(FramingError::bad_octet_count);
    state_ = State::octet_body;
    return;
  }
  if (!is_digit(c) || ++digits_ > kMaxOctetCountDigits) return fail(FramingError::bad_octet_count);
  octets_left_ = octets_left_ * 10 + static_cast<std::uint64_t>(c - '0');
}

void StreamFramer::on_octet_body(std::string_view& in) {
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(octets_left_, in.size()));
  arena_.append(in.substr(0, n));
  in.remove_prefix(n);
  octets_left_ -= n;
  if (octets_left_ == 0) {
    complete_frame(current_size());
    state_ = State::frame_start;
  }
}

void StreamFramer::on_lf_body(std::string_view& in) {
  auto end = in.find_first_of(kTrailers);
  auto chunk = in.substr(0, end);
  // One byte of slack so that a frame of exactly max_frame bytes followed by
  // CRLF is not mistaken for an over-long one.
  std::size_t room = max_frame_ + 1 - current_size();
  if (chunk.size() > room) {
    arena_.append(chunk.substr(0, room));
    in.remove_prefix(room);
    rejections_.push_back(FramingError::frame_too_long);
    complete_frame(max_frame_);
    state_ = State::lf_discard;
    return;
  }
  arena_.append(chunk);
  in.remove_prefix(chunk.size());
  if (in.empty()) return;
  bool lf = in.front() == '\n';
  in.remove_prefix(1);
  end_lf_frame(lf);
}

void StreamFramer::on_lf_discard(std::string_view& in) {
  auto end = in.find_first_of(kTrailers);
  if (end == std::string_view::npos) {
    in = {};
    return;
  }
  in.remove_prefix(end + 1);
  state_ = State::frame_start;
}

void StreamFramer::end_lf_frame(bool stripped_lf) {
  std::size_t size = current_size();
  if (stripped_lf && size > 0 && arena_.back() == '\r') --size;
  if (size > max_frame_) {
    rejections_.push_back(FramingError::frame_too_long);
    size = max_frame_;
  }
  complete_frame(size);
  state_ = State::frame_start;
}

void StreamFramer::complete_frame(std::size_t size) {
  spans_.push_back({frame_offset_, size});
  arena_.resize(frame_offset_ + size);
  frame_offset_ = arena_.size();
}

void StreamFramer::fail(FramingError e) {
  rejections_.push_back(e);
  fatal_ = e;
  arena_.resize(frame_offset_);
  state_ = State::failed;
}

}  // namespace tocsin::syslog
