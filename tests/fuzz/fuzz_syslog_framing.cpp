// Fuzz target for the syslog stream framer (TCP/TLS input, hostile bytes).
// Besides not crashing, the framer must not depend on how the stream is cut
// into reads: one chunk, fuzzer-chosen chunks and single bytes all yield the
// same frames and rejections, and no frame exceeds the limit.
#include "collectors/syslog/framing.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using tocsin::syslog::FramingError;
using tocsin::syslog::StreamFramer;

struct Outcome {
  std::vector<std::string> frames;
  std::vector<FramingError> rejections;
  bool fatal = false;
  bool operator==(const Outcome&) const = default;
};

void take(StreamFramer& framer, Outcome& out) {
  for (auto f : framer.frames()) {
    if (f.size() > framer.max_frame()) std::abort();
    out.frames.emplace_back(f);
  }
  for (auto r : framer.rejections()) out.rejections.push_back(r);
  framer.clear();
}

Outcome decode(std::string_view stream, std::size_t max_frame, std::string_view cuts) {
  StreamFramer framer(max_frame);
  Outcome out;
  std::size_t i = 0;
  while (!stream.empty()) {
    std::size_t n = cuts.empty() ? stream.size() : 1 + static_cast<unsigned char>(cuts[i++ % cuts.size()]) % 64;
    n = std::min(n, stream.size());
    framer.feed(stream.substr(0, n));
    stream.remove_prefix(n);
    take(framer, out);
  }
  framer.finish();
  take(framer, out);
  out.fatal = framer.fatal().has_value();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // A small limit so that the fuzzer reaches the limit paths quickly.
  std::size_t max_frame = 1 + data[0] % 128;
  std::string_view cut(reinterpret_cast<const char*>(data + 1), 1);
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  Outcome whole = decode(stream, max_frame, {});
  if (decode(stream, max_frame, cut) != whole) std::abort();     // equal reads
  if (decode(stream, max_frame, stream) != whole) std::abort();  // uneven reads
  if (decode(stream, max_frame, std::string_view("\0", 1)) != whole) std::abort();  // byte at a time
  StreamFramer large;
  large.feed(stream);
  large.finish();
  return 0;
}
