// GSM-7 / UCS-2 choice, segment counting and truncation of SMS pages.
#include "sinks/sms/encoder.hpp"

#include <algorithm>

namespace tocsin::sms {

namespace {

constexpr std::string_view ellipsis = "...";

// Decodes the UTF-8 sequence at s[i]; returns its length, 0 when invalid.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  std::size_t n = 0;
  char32_t min = 0;
  if ((b & 0xE0) == 0xC0) n = 2, min = 0x80;
  else if ((b & 0xF0) == 0xE0) n = 3, min = 0x800;
  else if ((b & 0xF8) == 0xF0) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  char32_t v = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  cp = v;
  return n;
}

// GSM 03.38 basic table characters outside printable ASCII.
constexpr char32_t gsm_basic_extra[] = {0xA3,  0xA5,  0xE8,  0xE9,  0xF9,  0xEC,  0xF2, 0xC7, 0xD8, 0xF8, 0xC5,
                                        0xE5,  0x394, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E,
                                        0xC6,  0xE6,  0xDF,  0xC9,  0xA4,  0xA1,  0xC4, 0xD6, 0xD1, 0xDC, 0xA7,
                                        0xBF,  0xE4,  0xF6,  0xF1,  0xFC,  0xE0,  0x0A, 0x0D};
// The extension table (escape + one septet); form feed is a control character and cleaned away.
constexpr std::u32string_view gsm_extension = U"^{}\\[~]|\u20AC";

// Units of one code point in a coding.
std::size_t char_units(char32_t cp, Coding coding) {
  if (coding == Coding::ucs2) return cp > 0xFFFF ? 2 : 1;
  return static_cast<std::size_t>(std::max(gsm7_septets(cp), 1));
}

template <typename F>
void for_each_char(std::string_view s, F f) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = decode(s, i, cp);
    if (n == 0) {  // not expected after clean_text; counted as one '?'
      cp = '?';
      n = 1;
    }
    f(cp, i, n);
    i += n;
  }
}

// Byte length of the longest prefix of `s` that packs into `segments`
// segments of `capacity` units each, no character straddling two.
std::size_t prefix_fitting(std::string_view s, Coding coding, std::size_t segments, std::size_t capacity) {
  std::size_t used_segments = 1, used = 0, end = 0;
  bool full = false;
  for_each_char(s, [&](char32_t cp, std::size_t i, std::size_t n) {
    if (full) return;
    std::size_t u = char_units(cp, coding);
    if (used + u > capacity) {
      if (++used_segments > segments) {
        full = true;
        return;
      }
      used = 0;
    }
    used += u;
    end = i + n;
  });
  return end;
}

std::size_t capacity_of(Coding coding, bool multi) {
  if (coding == Coding::gsm7) return multi ? gsm7_multi : gsm7_single;
  return multi ? ucs2_multi : ucs2_single;
}

// Cuts `text` so that it and "..." fit `segments` segments.
std::string truncate_to(std::string_view text, Coding coding, std::size_t segments) {
  std::size_t capacity = capacity_of(coding, segments > 1);
  // Room for the ellipsis is taken from the end: pack into all segments, then
  // drop characters until "..." fits too.
  std::string cut(text.substr(0, prefix_fitting(text, coding, segments, capacity)));
  while (!cut.empty()) {
    std::string candidate = cut + std::string(ellipsis);
    if (prefix_fitting(candidate, coding, segments, capacity) == candidate.size()) return candidate;
    // Drop the last character.
    std::size_t last = cut.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(cut[last]) & 0xC0) == 0x80) --last;
    cut.resize(last);
  }
  return std::string(ellipsis.substr(0, std::min(ellipsis.size(), capacity)));
}

}  // namespace

std::string_view kannel_coding(Coding c) { return c == Coding::ucs2 ? "2" : "0"; }
std::string_view to_string(Coding c) { return c == Coding::ucs2 ? "ucs2" : "gsm7"; }

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), max_input_bytes));
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = decode(text, i, cp);
    std::string_view piece = n ? text.substr(i, n) : std::string_view("?");
    if (n == 0) n = 1;
    else if (cp == '\t' || cp == '\r' || cp == '\n') piece = " ";
    else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) piece = {};
    if (out.size() + piece.size() > max_input_bytes) break;
    out += piece;
    i += n;
  }
  return out;
}

int gsm7_septets(char32_t cp) {
  if (cp >= 0x20 && cp < 0x7F) {
    if (cp == '`') return 0;
    return gsm_extension.find(cp) == std::u32string_view::npos ? 1 : 2;
  }
  if (std::find(std::begin(gsm_basic_extra), std::end(gsm_basic_extra), cp) != std::end(gsm_basic_extra)) return 1;
  if (cp == 0x20AC) return 2;
  return 0;
}

Coding choose_coding(std::string_view utf8) {
  Coding coding = Coding::gsm7;
  for_each_char(utf8, [&](char32_t cp, std::size_t, std::size_t) {
    if (gsm7_septets(cp) == 0) coding = Coding::ucs2;
  });
  return coding;
}

std::size_t units(std::string_view utf8, Coding coding) {
  std::size_t total = 0;
  for_each_char(utf8, [&](char32_t cp, std::size_t, std::size_t) { total += char_units(cp, coding); });
  return total;
}

std::size_t count_segments(std::string_view utf8, Coding coding) {
  if (utf8.empty()) return 1;
  if (units(utf8, coding) <= capacity_of(coding, false)) return 1;
  std::size_t capacity = capacity_of(coding, true);
  std::size_t segments = 1, used = 0;
  for_each_char(utf8, [&](char32_t cp, std::size_t, std::size_t) {
    std::size_t u = char_units(cp, coding);
    if (used + u > capacity) {
      ++segments;
      used = 0;
    }
    used += u;
  });
  return segments;
}

EncodedSms encode_sms(std::string_view text, const EncoderConfig& config) {
  const std::string clean = clean_text(text);
  const std::size_t max_segments = static_cast<std::size_t>(std::max(config.max_segments, 1));
  EncodedSms out;
  out.coding = choose_coding(clean);
  if (config.overflow == Overflow::truncate || count_segments(clean, out.coding) == 1) {
    std::string message = clean;
    if (count_segments(message, out.coding) > max_segments) {
      message = truncate_to(clean, out.coding, max_segments);
      out.truncated = true;
    }
    out.segments = count_segments(message, out.coding);
    out.parts.push_back(std::move(message));
    return out;
  }
  // Split: independent one-segment messages, the last one cut when the text needs more.
  const std::size_t capacity = capacity_of(out.coding, false);
  std::string_view rest = clean;
  while (!rest.empty()) {
    if (out.parts.size() + 1 == max_segments && count_segments(rest, out.coding) > 1) {
      out.parts.push_back(truncate_to(rest, out.coding, 1));
      out.truncated = true;
      break;
    }
    std::size_t n = prefix_fitting(rest, out.coding, 1, capacity);
    if (n == 0) break;
    out.parts.emplace_back(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  out.segments = out.parts.size();
  return out;
}

}  // namespace tocsin::sms
