#pragma once
// Pure encoder of the SMS sink: page text (UTF-8) → the messages to hand the
// gateway. Chooses GSM 03.38 7-bit (basic table plus the extension table,
// whose characters take two septets) when every character fits, UCS-2
// otherwise; counts segments (160 or 153 septets, 70 or 67 UCS-2 units when
// concatenated); truncates or splits to a configured number of segments.
// No I/O, no clock: every byte is asserted in unit tests and fuzzed.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/sms/config.hpp"

namespace tocsin::sms {

enum class Coding { gsm7, ucs2 };

// Kannel's `coding` value: 0 for 7-bit, 2 for UCS-2.
std::string_view kannel_coding(Coding c);
// "gsm7" or "ucs2".
std::string_view to_string(Coding c);

inline constexpr std::size_t gsm7_single = 160;
inline constexpr std::size_t gsm7_multi = 153;
inline constexpr std::size_t ucs2_single = 70;
inline constexpr std::size_t ucs2_multi = 67;
// Longest input looked at; the rest is dropped before encoding.
inline constexpr std::size_t max_input_bytes = 16 * 1024;

// Control characters (C0, DEL, C1) removed, tab, CR and LF made spaces,
// invalid UTF-8 made '?', cut to max_input_bytes on a character boundary.
std::string clean_text(std::string_view text);

// Septets of one code point in GSM-7 (1 basic, 2 extension), 0 when it has none.
int gsm7_septets(char32_t cp);

// The coding a (cleaned) text needs.
Coding choose_coding(std::string_view utf8);

// Units of a text in a coding: septets for GSM-7, UTF-16 code units for UCS-2.
std::size_t units(std::string_view utf8, Coding coding);

// Segments a text takes as one (concatenated) message. A character is never
// split across segments (an extension character or surrogate pair that would
// straddle a boundary starts the next one), as phones and gateways do.
std::size_t count_segments(std::string_view utf8, Coding coding);

struct EncodedSms {
  Coding coding = Coding::gsm7;
  std::vector<std::string> parts;  // UTF-8; one request each
  std::size_t segments = 0;        // segments billed in total
  bool truncated = false;
};

EncodedSms encode_sms(std::string_view text, const EncoderConfig& config);

}  // namespace tocsin::sms
