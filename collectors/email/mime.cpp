// GMime does the MIME work; this file bounds it and picks what a person
// reads. Charset labels of Chinese mail are widened to their supersets
// (GB2312 and GBK mail routinely carries GB18030 characters, Big5 mail
// HKSCS ones), and text that is still not UTF-8 is made so, so that no field
// of an Event holds invalid bytes.
#include "collectors/email/mime.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace tocsin::email_in {

namespace {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GString_ = std::unique_ptr<char, GFree>;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The charset iconv should use for a label found in a mail.
std::string iconv_charset(std::string_view label) {
  static constexpr std::array<std::string_view, 8> gb{"gb2312", "gbk",      "cp936",  "x-gbk",
                                                      "euc-cn", "gb_2312-80", "x-euc-cn", "ms936"};
  static constexpr std::array<std::string_view, 5> big5{"big5", "x-big5", "cn-big5", "big-5", "csbig5"};
  std::string l = lower(label);
  if (std::find(gb.begin(), gb.end(), l) != gb.end()) return "GB18030";
  if (std::find(big5.begin(), big5.end(), l) != big5.end()) return "BIG5-HKSCS";
  return std::string(label);
}

GMimeParserOptions* parser_options() {
  static GMimeParserOptions* options = [] {
    g_mime_init();
    GMimeParserOptions* o = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    // Unlabelled 8-bit headers and bodies: UTF-8 when valid, else the Chinese
    // charsets our users' monitoring systems send.
    const char* fallback[] = {"UTF-8", "GB18030", "BIG5-HKSCS", "ISO-8859-1", nullptr};
    g_mime_parser_options_set_fallback_charsets(o, fallback);
    return o;
  }();
  return options;
}

std::string make_valid(std::string_view bytes) {
  if (bytes.empty()) return {};
  GString_ valid(g_utf8_make_valid(bytes.data(), static_cast<gssize>(bytes.size())));
  return valid ? std::string(valid.get()) : std::string{};
}

std::string decode_8bit(std::string_view bytes) {
  if (bytes.empty() || g_utf8_validate(bytes.data(), static_cast<gssize>(bytes.size()), nullptr))
    return std::string(bytes);
  GString_ text(g_mime_utils_decode_8bit(parser_options(), bytes.data(), bytes.size()));
  return make_valid(text ? text.get() : "");
}

// "=?gb2312?B?...?=" → "=?GB18030?B?...?=", so that GMime converts with the superset.
std::string widen_encoded_word_charsets(std::string_view raw) {
  std::string out;
  std::size_t i = 0;
  for (;;) {
    auto start = raw.find("=?", i);
    if (start == std::string_view::npos) break;
    auto end = raw.find_first_of("?*", start + 2);
    if (end == std::string_view::npos) break;
    out.append(raw.substr(i, start + 2 - i));
    out += iconv_charset(raw.substr(start + 2, end - start - 2));
    i = end;
  }
  out.append(raw.substr(i));
  return out;
}

std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; }, ' ');
  auto first = text.find_first_not_of(' ');
  auto last = text.find_last_not_of(' ');
  return first == std::string::npos ? std::string{} : text.substr(first, last - first + 1);
}

std::string decode_header(GMimeObject* object, const char* name) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  GMimeHeader* header = headers ? g_mime_header_list_get_header(headers, name) : nullptr;
  const char* raw = header ? g_mime_header_get_raw_value(header) : nullptr;
  if (!raw) return {};
  std::string widened = widen_encoded_word_charsets(raw);
  GString_ unfolded(g_mime_utils_header_unfold(widened.c_str()));
  GString_ decoded(g_mime_utils_header_decode_text(parser_options(), unfolded.get()));
  return one_line(make_valid(decoded ? decoded.get() : ""));
}

std::string addresses(InternetAddressList* list) {
  std::string out;
  int n = list ? internet_address_list_length(list) : 0;
  for (int i = 0; i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    const char* addr = INTERNET_ADDRESS_IS_MAILBOX(a) ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)) : nullptr;
    if (!addr || !*addr) continue;
    if (!out.empty()) out += ", ";
    out += addr;
  }
  return make_valid(out);
}

// Upper bound on the MIME entities GMime could build, counted on the raw bytes
// before it recurses into them: every multipart or attached message needs a
// Content-Type header (or is one level below one that has it).
bool too_many_entity_headers(std::string_view message, const MimeLimits& limits) {
  static constexpr std::string_view needle = "content-type";
  std::size_t count = 0;
  const auto limit = static_cast<std::size_t>(limits.max_parts) * 2 + 2;
  for (std::size_t i = 0; i + needle.size() <= message.size(); ++i) {
    if ((message[i] | 0x20) != 'c') continue;
    bool hit = true;
    for (std::size_t k = 1; k < needle.size() && hit; ++k) hit = (message[i + k] | 0x20) == needle[k];
    if (hit && ++count > limit) return true;
  }
  return false;
}

bool is_attachment(GMimeObject* part) {
  GMimeContentDisposition* d = g_mime_object_get_content_disposition(part);
  return d && g_mime_content_disposition_is_attachment(d);
}

std::string part_text(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return {};
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  GPtr<GMimeStream> filtered(g_mime_stream_filter_new(mem.get()));
  const char* label = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  bool labelled = label && *label;
  if (labelled) {
    GPtr<GMimeFilter> charset(g_mime_filter_charset_new(iconv_charset(label).c_str(), "UTF-8"));
    if (charset) g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), charset.get());
    labelled = charset != nullptr;
  }
  g_mime_data_wrapper_write_to_stream(content, filtered.get());
  g_mime_stream_flush(filtered.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  std::string_view raw(reinterpret_cast<const char*>(bytes->data), bytes->len);
  return labelled ? make_valid(raw) : decode_8bit(raw);
}

std::string normalize_body(std::string text, std::size_t max) {
  std::erase(text, '\r');
  if (text.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  auto last = text.find_last_not_of(" \n");
  text.resize(last == std::string::npos ? 0 : last + 1);
  return text;
}

struct Walk {
  int parts = 0;
  int depth = 0;
  GMimePart* plain = nullptr;
  GMimePart* html = nullptr;
};

// Depth-first in document order, without recursion: the tree is hostile input.
MimeProblem walk(GMimeObject* root, const MimeLimits& limits, Walk& w) {
  std::vector<std::pair<GMimeObject*, int>> stack{{root, 1}};
  while (!stack.empty()) {
    auto [object, depth] = stack.back();
    stack.pop_back();
    if (!object) continue;
    if (++w.parts > limits.max_parts) return MimeProblem::too_many_parts;
    if (depth > limits.max_depth) return MimeProblem::too_deep;
    if (GMIME_IS_MULTIPART(object)) {
      auto* mp = GMIME_MULTIPART(object);
      for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; --i)
        stack.emplace_back(g_mime_multipart_get_part(mp, i), depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (inner) stack.emplace_back(g_mime_message_get_mime_part(inner), depth + 1);
    } else if (GMIME_IS_PART(object) && !is_attachment(object)) {
      GMimeContentType* type = g_mime_object_get_content_type(object);
      if (!w.plain && g_mime_content_type_is_type(type, "text", "plain")) w.plain = GMIME_PART(object);
      if (!w.html && g_mime_content_type_is_type(type, "text", "html")) w.html = GMIME_PART(object);
    }
  }
  return MimeProblem::none;
}

}  // namespace

std::string_view to_string(MimeProblem p) {
  switch (p) {
    case MimeProblem::none:
      return "none";
    case MimeProblem::malformed:
      return "mime_malformed";
    case MimeProblem::too_deep:
      return "mime_too_deep";
    case MimeProblem::too_many_parts:
      return "mime_too_many_parts";
  }
  return "none";
}

MailParse parse_mail(std::string_view message, const MimeLimits& limits) {
  MailParse out;
  if (too_many_entity_headers(message, limits)) {
    out.problem = MimeProblem::too_many_parts;
    return out;
  }
  GMimeParserOptions* options = parser_options();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> parsed(g_mime_parser_construct_message(parser.get(), options));
  if (!parsed) {
    out.problem = MimeProblem::malformed;
    return out;
  }
  Walk w;
  out.problem = walk(g_mime_message_get_mime_part(parsed.get()), limits, w);
  if (out.problem != MimeProblem::none) return out;
  Mail& m = out.mail;
  InternetAddressList* from = g_mime_message_get_from(parsed.get());
  if (from && internet_address_list_length(from) > 0) {
    InternetAddress* first = internet_address_list_get_address(from, 0);
    if (const char* name = internet_address_get_name(first)) m.from_name = one_line(make_valid(name));
  }
  m.from = addresses(from);
  if (auto comma = m.from.find(", "); comma != std::string::npos) m.from.resize(comma);
  m.to = addresses(g_mime_message_get_to(parsed.get()));
  m.subject = decode_header(GMIME_OBJECT(parsed.get()), "Subject");
  if (const char* id = g_mime_message_get_message_id(parsed.get())) m.message_id = make_valid(id);
  m.auto_submitted = decode_header(GMIME_OBJECT(parsed.get()), "Auto-Submitted");
  m.precedence = decode_header(GMIME_OBJECT(parsed.get()), "Precedence");
  if (w.plain)
    m.body = normalize_body(part_text(w.plain), limits.max_body);
  else if (w.html)
    m.body = normalize_body(html_to_text(part_text(w.html)), limits.max_body);
  return out;
}

namespace {

const std::array<std::pair<std::string_view, std::string_view>, 7> entities{
    {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}, {"#39", "'"}}};

// "&amp;" at `i` → "&"; returns the bytes consumed, 0 when it is no entity.
std::size_t decode_entity(std::string_view html, std::size_t i, std::string& out) {
  auto semi = html.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  std::string_view name = html.substr(i + 1, semi - i - 1);
  for (const auto& [n, text] : entities)
    if (n == name) {
      out += text;
      return semi - i + 1;
    }
  if (name.size() > 1 && name[0] == '#') {
    bool hex = name[1] == 'x' || name[1] == 'X';
    auto digits = std::string(name.substr(hex ? 2 : 1));
    char* end = nullptr;
    unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
    if (digits.empty() || *end || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    char buf[6];
    out.append(buf, static_cast<std::size_t>(g_unichar_to_utf8(static_cast<gunichar>(cp), buf)));
    return semi - i + 1;
  }
  return 0;
}

bool starts_with_tag(std::string_view html, std::size_t i, std::string_view tag) {
  if (html.size() - i < tag.size() + 1) return false;
  for (std::size_t k = 0; k < tag.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(html[i + 1 + k])) != tag[k]) return false;
  return true;
}

// Index after the closing tag of a <script> or <style> element starting at `i`.
std::size_t skip_element(std::string_view html, std::size_t i, std::string_view tag) {
  std::string close = "</" + std::string(tag);
  for (std::size_t j = i + 1; j + close.size() <= html.size(); ++j) {
    if (html[j] != '<' || !starts_with_tag(html, j, "/" + std::string(tag))) continue;
    auto gt = html.find('>', j);
    return gt == std::string_view::npos ? html.size() : gt + 1;
  }
  return html.size();
}

bool is_block_tag(std::string_view html, std::size_t i) {
  for (std::string_view t : {"br", "p", "/p", "div", "/div", "tr", "/tr", "li", "h1", "h2", "h3", "table", "/table"})
    if (starts_with_tag(html, i, t)) {
      char next = i + 1 + t.size() < html.size() ? html[i + 1 + t.size()] : '>';
      if (next == '>' || next == ' ' || next == '/' || next == '\t' || next == '\n') return true;
    }
  return false;
}

std::string collapse_whitespace(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (!out.empty() && !(out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n'))
        out += '\n';
      space = false;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      space = !out.empty() && out.back() != '\n';
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      if (starts_with_tag(html, i, "script") || starts_with_tag(html, i, "style")) {
        i = skip_element(html, i, starts_with_tag(html, i, "script") ? "script" : "style");
        continue;
      }
      if (is_block_tag(html, i)) out += '\n';
      auto gt = html.find('>', i);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (c == '&') {
      if (std::size_t n = decode_entity(html, i, out)) {
        i += n;
        continue;
      }
    }
    out += c == '\n' ? ' ' : c;
    ++i;
  }
  return collapse_whitespace(out);
}

}  // namespace tocsin::email_in
