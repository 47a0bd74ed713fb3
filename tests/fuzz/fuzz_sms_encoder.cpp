// Fuzz target for the SMS encoder: any bytes as page text, both overflow
// modes. Checks the invariants: parts within max_segments, each split part
// one segment, truncated output within the segment budget, valid coding.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sinks/sms/encoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tocsin::sms;
  if (size == 0) return 0;
  const int max_segments = 1 + data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  for (Overflow overflow : {Overflow::truncate, Overflow::split}) {
    EncodedSms sms = encode_sms(text, {max_segments, overflow});
    if (sms.parts.size() > static_cast<std::size_t>(max_segments)) std::abort();
    for (const auto& part : sms.parts) {
      if (choose_coding(part) == Coding::ucs2 && sms.coding == Coding::gsm7) std::abort();
      std::size_t segments = count_segments(part, sms.coding);
      if (overflow == Overflow::split && segments != 1) std::abort();
      if (segments > static_cast<std::size_t>(max_segments)) std::abort();
    }
  }
  return 0;
}
