// Syslog parser: RFC 5424 strictly, RFC 3164 as real devices send it (Linux,
// Cisco IOS/IOS-XE/IOS-XR/NX-OS/ASA, Juniper Junos, Huawei VRP, H3C Comware,
// FortiGate). Everything works on string_views over the caller's bytes; only
// the result is copied, because this runs for every received line.

#include "collectors/syslog/parser.hpp"

#include <arpa/inet.h>

#include <cassert>
#include <chrono>

namespace tocsin::syslog {
namespace {

using Sv = std::string_view;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z'); }
bool is_printable(char c) { return c >= 33 && c <= 126; }

bool eat(Sv& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

bool eat(Sv& s, Sv prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

void skip_spaces(Sv& s) {
  while (eat(s, ' ')) {
  }
}

template <typename Pred>
Sv take_while(Sv& s, Pred pred, std::size_t max = Sv::npos) {
  std::size_t i = 0;
  while (i < s.size() && i < max && pred(s[i])) ++i;
  Sv taken = s.substr(0, i);
  s.remove_prefix(i);
  return taken;
}

// Exactly `n` digits, or -1 (nothing consumed).
int take_digits(Sv& s, std::size_t n) {
  if (s.size() < n) return -1;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[i])) return -1;
    value = value * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  return value;
}

bool starts_with_digits(Sv s, std::size_t n, char then) {
  if (s.size() <= n || s[n] != then) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (!is_digit(s[i])) return false;
  return true;
}

Sv consumed(Sv before, Sv after) { return before.substr(0, before.size() - after.size()); }

Sv trim_frame(Sv s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

Sv strip_bom(Sv s) {
  eat(s, "\xEF\xBB\xBF");
  return s;
}

void add_field(MessageView& m, const Limits& limits, Sv key, Sv value) {
  if (m.fields.size() >= limits.max_fields) {
    m.fields_truncated = true;
    return;
  }
  m.fields.emplace_back(key, value);
}

// ---------------------------------------------------------------- time

struct Civil {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  // none: no zone was sent (taken as UTC); unknown: a zone name we cannot map.
  enum class Zone : std::uint8_t { none, utc, offset, unknown } zone = Zone::none;
  int offset_minutes = 0;
};

bool valid_date(int y, int m, int d) {
  using namespace std::chrono;
  return year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}.ok();
}

std::int64_t epoch_ms(const Civil& c) {
  using namespace std::chrono;
  const sys_days date{year{c.year} / month{static_cast<unsigned>(c.month)} / day{static_cast<unsigned>(c.day)}};
  const std::int64_t seconds = std::int64_t{date.time_since_epoch().count()} * 86400 + c.hour * 3600 +
                               c.minute * 60 + c.second - c.offset_minutes * 60;
  return seconds * 1000 + c.millis;
}

// RFC 3164 times carry no year unless the vendor adds one; a named zone other
// than UTC/GMT is ambiguous (CST is both US Central and China), so no epoch.
std::int64_t epoch_ms_if_known(const Civil& c) {
  if (c.year == 0 || c.zone == Civil::Zone::unknown) return 0;
  return epoch_ms(c);
}

bool take_time_of_day(Sv& s, Civil& c) {
  c.hour = take_digits(s, 2);
  if (c.hour < 0 || c.hour > 23 || !eat(s, ':')) return false;
  c.minute = take_digits(s, 2);
  if (c.minute < 0 || c.minute > 59 || !eat(s, ':')) return false;
  c.second = take_digits(s, 2);
  return c.second >= 0 && c.second <= 59;
}

// Optional ".d{1,max}"; the first three digits are the milliseconds.
bool take_fraction(Sv& s, Civil& c, std::size_t max_digits) {
  if (!eat(s, '.')) return true;
  Sv digits = take_while(s, is_digit);
  if (digits.empty() || digits.size() > max_digits) return false;
  c.millis = 0;
  for (std::size_t i = 0; i < 3; ++i) c.millis = c.millis * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  return true;
}

// "+01:00", "-0700" (Huawei and FortiGate may drop the colon; RFC 3339 may not).
bool take_numeric_offset(Sv& s, Civil& c, bool colon_required = false) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  Sv t = s.substr(1);
  const int hours = take_digits(t, 2);
  if (!eat(t, ':') && colon_required) return false;
  const int minutes = take_digits(t, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return false;
  c.offset_minutes = (s[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
  c.zone = Civil::Zone::offset;
  s = t;
  return true;
}

bool take_iso_date(Sv& s, Civil& c) {
  c.year = take_digits(s, 4);
  if (c.year < 0 || !eat(s, '-')) return false;
  c.month = take_digits(s, 2);
  if (c.month < 0 || !eat(s, '-')) return false;
  c.day = take_digits(s, 2);
  return c.day >= 0 && valid_date(c.year, c.month, c.day);
}

// RFC 5424 §6.2.3: FULL-DATE "T" PARTIAL-TIME TIME-OFFSET, at most six
// fraction digits, upper-case T and Z. rsyslog's ISO 3164 variant may omit the offset.
bool take_rfc3339(Sv& s, Civil& c, bool offset_required) {
  if (!take_iso_date(s, c) || !eat(s, 'T') || !take_time_of_day(s, c) || !take_fraction(s, c, 6)) return false;
  if (eat(s, 'Z')) {
    c.zone = Civil::Zone::utc;
    return true;
  }
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) return take_numeric_offset(s, c, true);
  return !offset_required;
}

int month_number(Sv name) {
  static constexpr Sv names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (name == names[i]) return i + 1;
  return 0;
}

// "YYYY " as a whole word (a year before or after the time, NX-OS, Huawei, H3C).
bool take_year_word(Sv& s, Civil& c) {
  if (c.year != 0 || s.size() < 4 || (s.size() > 4 && s[4] != ' ')) return false;
  Sv t = s;
  const int y = take_digits(t, 4);
  if (y < 1970) return false;
  c.year = y;
  s = t;
  return true;
}

// After the time: "+08:00" (Huawei), " UTC:" (Cisco), " CST 1987" (date(1), RFC 3164 §5.4).
// A bare upper-case word is a zone only when a colon or a year follows it, so
// that an upper-case hostname ("HUAWEI") is not taken for one.
void take_bsd_zone(Sv& s, Civil& c) {
  if (take_numeric_offset(s, c)) return;
  Sv t = s;
  if (!eat(t, ' ')) return;
  Sv word = take_while(t, is_upper, 6);
  if (word.size() < 3 || word.size() > 5) return;
  const bool utc = word == "UTC" || word == "GMT";
  Sv after_year = t;
  const bool year_follows = eat(after_year, ' ') && take_year_word(after_year, c);
  if (!utc && !year_follows && !t.starts_with(':')) return;
  c.zone = utc ? Civil::Zone::utc : Civil::Zone::unknown;
  s = year_follows ? after_year : t;
}

// "[YYYY ]Mmm d[d] [YYYY ]hh:mm:ss[.fff][zone][ YYYY]": BSD plus the year and
// zone placements of NX-OS, Cisco IOS, Huawei and H3C.
bool take_bsd_timestamp(Sv& s, Civil& c) {
  Sv t = s;
  if (starts_with_digits(t, 4, ' ') && take_year_word(t, c)) t.remove_prefix(1);
  c.month = t.size() >= 3 ? month_number(t.substr(0, 3)) : 0;
  if (c.month == 0) return false;
  t.remove_prefix(3);
  if (!eat(t, ' ')) return false;
  eat(t, ' ');
  c.day = take_digits(t, 2);
  if (c.day < 0) c.day = take_digits(t, 1);
  if (c.day <= 0 || !eat(t, ' ')) return false;
  if (starts_with_digits(t, 4, ' ') && take_year_word(t, c)) t.remove_prefix(1);
  if (!take_time_of_day(t, c) || !take_fraction(t, c, 9)) return false;
  take_bsd_zone(t, c);
  if (Sv y = t; c.year == 0 && eat(y, ' ') && take_year_word(y, c)) t = y;
  if (!valid_date(c.year != 0 ? c.year : 2000, c.month, c.day)) return false;
  s = t;
  return true;
}

struct Stamp {
  Sv text;
  Civil civil;
  char sync_flag = 0;  // Cisco: '*' clock never synchronized, '.' synchronization lost
};

// A 3164 timestamp must end the word: a trailing ':' (Cisco) is consumed.
bool take_3164_timestamp(Sv& s, Stamp& stamp) {
  Sv t = s;
  const char flag = (!t.empty() && (t[0] == '*' || t[0] == '.')) ? t[0] : 0;
  if (flag != 0) t.remove_prefix(1);
  const Sv begin = t;
  Civil c;
  const bool ok = starts_with_digits(t, 4, '-') ? take_rfc3339(t, c, false) : take_bsd_timestamp(t, c);
  if (!ok) return false;
  const Sv text = consumed(begin, t);
  eat(t, ':');
  if (!t.empty() && t[0] != ' ') return false;
  stamp = {text, c, flag};
  s = t;
  return true;
}

// ---------------------------------------------------------------- RFC 5424

bool all_printable(Sv s) {
  for (char c : s)
    if (!is_printable(c)) return false;
  return true;
}

std::optional<RejectReason> take_header_field(Sv& s, std::size_t max_len, Sv& out) {
  const auto space = s.find(' ');
  if (space == Sv::npos) return RejectReason::truncated;
  const Sv token = s.substr(0, space);
  if (token.empty() || token.size() > max_len || !all_printable(token)) return RejectReason::bad_header;
  if (token != "-") out = token;
  s.remove_prefix(space + 1);
  return std::nullopt;
}

std::optional<RejectReason> take_5424_timestamp(Sv& s, MessageView& m) {
  const auto space = s.find(' ');
  if (space == Sv::npos) return RejectReason::truncated;
  Sv token = s.substr(0, space);
  m.timestamp = token;
  s.remove_prefix(space + 1);
  if (token == "-") return std::nullopt;
  Civil c;
  if (!take_rfc3339(token, c, true) || !token.empty()) return RejectReason::bad_timestamp;
  m.timestamp_ms = epoch_ms(c);
  return std::nullopt;
}

bool is_sd_name_char(char c) { return is_printable(c) && c != '=' && c != ']' && c != '"'; }

bool take_sd_name(Sv& s, Sv& out) {
  Sv name = take_while(s, is_sd_name_char, 32);
  out = name;
  return !name.empty();
}

// Appends to the text a parse builds; parse() reserved room for it, so the
// views already taken into it stay valid.
Sv append_text(MessageView& m, Sv piece) {
  assert(m.text.size() + piece.size() <= m.text.capacity());
  const std::size_t start = m.text.size();
  m.text.append(piece);
  return Sv(m.text).substr(start);
}

bool is_sd_escape(Sv s, std::size_t i) {
  return s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']');
}

// §6.3.3: only \" \\ \] are escapes; any other backslash is kept as sent. A
// value without escapes is a view of the bytes; one with them is unescaped
// into the message's text.
bool take_param_value(Sv& s, MessageView& m, Sv& out) {
  std::size_t end = 0;
  bool escaped = false;
  for (; end < s.size() && s[end] != '"'; ++end) {
    if (is_sd_escape(s, end)) {
      escaped = true;
      ++end;
    }
  }
  if (end == s.size()) return false;
  out = s.substr(0, end);
  if (escaped) {
    const std::size_t start = m.text.size();
    for (std::size_t i = 0; i < end; ++i) append_text(m, out.substr(is_sd_escape(out, i) ? ++i : i, 1));
    out = Sv(m.text).substr(start);
  }
  s.remove_prefix(end + 1);
  return true;
}

bool take_sd_element(Sv& s, MessageView& m) {
  SdElementView& element = m.structured_data.emplace_back();
  element.first_param = m.sd_params.size();
  if (!eat(s, '[') || !take_sd_name(s, element.id)) return false;
  while (eat(s, ' ')) {
    SdParamView& param = m.sd_params.emplace_back();
    ++element.param_count;
    if (!take_sd_name(s, param.name) || !eat(s, '=') || !eat(s, '"') || !take_param_value(s, m, param.value))
      return false;
  }
  return eat(s, ']');
}

std::optional<RejectReason> take_structured_data(Sv& s, MessageView& m, const Limits& limits) {
  if (s.empty()) return RejectReason::truncated;
  if (eat(s, '-')) return std::nullopt;
  if (s[0] != '[') return RejectReason::bad_structured_data;
  while (!s.empty() && s[0] == '[') {
    if (m.structured_data.size() >= limits.max_sd_elements) return RejectReason::too_many_sd_elements;
    if (!take_sd_element(s, m)) return RejectReason::bad_structured_data;
  }
  return std::nullopt;
}

// Junos with "structured-data" puts its event tag in MSGID.
void add_junos_fields(MessageView& m, const Limits& limits) {
  for (const auto& element : m.structured_data) {
    if (element.id.starts_with("junos@2636") && !m.msg_id.empty()) {
      add_field(m, limits, "junos_tag", m.msg_id);
      return;
    }
  }
}

std::optional<RejectReason> parse_5424(Sv s, MessageView& m, const Limits& limits) {
  m.format = Format::rfc5424;
  if (auto r = take_5424_timestamp(s, m)) return r;
  if (auto r = take_header_field(s, 255, m.hostname)) return r;
  if (auto r = take_header_field(s, 48, m.app_name)) return r;
  if (auto r = take_header_field(s, 128, m.proc_id)) return r;
  if (auto r = take_header_field(s, 32, m.msg_id)) return r;
  if (auto r = take_structured_data(s, m, limits)) return r;
  if (!s.empty() && !eat(s, ' ')) return RejectReason::bad_structured_data;
  m.message = strip_bom(s);
  add_junos_fields(m, limits);
  return std::nullopt;
}

// ---------------------------------------------------------------- RFC 3164 header

bool is_hostname_char(char c) { return is_alnum(c) || c == '.' || c == '-' || c == '_'; }

bool is_ipv6(Sv s) {
  char text[INET6_ADDRSTRLEN] = {};
  if (s.size() >= sizeof text) return false;
  s.copy(text, s.size());
  unsigned char address[16];
  return inet_pton(AF_INET6, text, address) == 1;
}

bool is_hostname(Sv s) {
  if (s.empty() || s.size() > 255) return false;
  bool plain = true;
  for (char c : s) plain = plain && is_hostname_char(c);
  return plain || (s.find(':') != Sv::npos && is_ipv6(s));
}

// Cisco "service sequence-numbers": "123: " before everything else.
Sv take_sequence(Sv& s) {
  Sv t = s;
  Sv digits = take_while(t, is_digit, 11);
  if (digits.empty() || !eat(t, ": ")) return {};
  s = t;
  return digits;
}

void set_timestamp(MessageView& m, const Stamp& stamp, const Limits& limits) {
  m.timestamp = stamp.text;
  m.timestamp_ms = epoch_ms_if_known(stamp.civil);
  if (stamp.sync_flag != 0) add_field(m, limits, "cisco_clock", stamp.sync_flag == '*' ? "unsynced" : "sync_lost");
}

bool is_node_name(Sv s) {
  for (char c : s)
    if (!is_alnum(c) && c != '/') return false;
  return s.find('/') != Sv::npos;
}

// Cisco "logging origin-id" ("router1: Mar  1 ...") and IOS-XR node names
// ("RP/0/RSP0/CPU0:Mar  1 ...") come before the timestamp, glued by a colon.
void take_name_before_timestamp(Sv& s, MessageView& m, const Limits& limits) {
  const Sv word = s.substr(0, s.find(' '));
  const auto colon = word.find(':');
  if (colon == Sv::npos || colon == 0) return;
  const Sv name = word.substr(0, colon);
  const bool hostname = colon + 1 == word.size();
  if (hostname && word.size() == s.size()) return;
  Sv after = s.substr(colon + 1 + (hostname ? 1 : 0));
  Stamp probe;
  if (Sv t = after; !take_3164_timestamp(t, probe)) return;
  if (hostname && is_hostname(name)) {
    m.hostname = name;
  } else if (!hostname && is_node_name(name)) {
    add_field(m, limits, "cisco_node", name);
  } else {
    return;
  }
  s = after;
}

// The classic ambiguity: the word after the timestamp is a hostname unless it
// looks like a TAG ("su:", "sshd[1]:", "%LINK-3-UPDOWN:", "app:msg"). IPv6
// hostnames are recognized before the colon rule. "router1: %SYS-..." (Cisco)
// and "asa01 : %ASA-..." are hostnames because a vendor tag follows.
void take_hostname(Sv& s, MessageView& m) {
  const auto space = s.find(' ');
  if (!m.hostname.empty() || space == Sv::npos) return;
  const Sv word = s.substr(0, space);
  Sv after = s.substr(space + 1);
  skip_spaces(after);
  if (word.ends_with(':')) {
    const Sv name = word.substr(0, word.size() - 1);
    if (!after.starts_with('%') || !is_hostname(name)) return;
    m.hostname = name;
  } else if (is_hostname(word)) {
    m.hostname = word;
    if (after.starts_with(": %")) after.remove_prefix(2);
  } else {
    return;
  }
  s = after;
}

// A relay's BSD header in front of the Cisco line: "router1 45: *Mar 1 18:46:11: %LINEPROTO-...".
void take_cisco_body_prefix(Sv& s, MessageView& m, const Limits& limits) {
  Sv t = s;
  const Sv seq = take_sequence(t);
  if (seq.empty()) return;
  Stamp stamp;
  const bool stamped = take_3164_timestamp(t, stamp);
  skip_spaces(t);
  if (!t.starts_with('%')) return;
  add_field(m, limits, "cisco_seq", seq);
  if (stamped) add_field(m, limits, "cisco_timestamp", stamp.text);
  s = t;
}

// ---------------------------------------------------------------- RFC 3164 tags

// "%FACILITY[-SUBFACILITY]-SEVERITY-MNEMONIC:" (IOS, IOS-XE, NX-OS, ASA; IOS-XR puts " :").
bool take_cisco_tag(Sv& s, MessageView& m, const Limits& limits, bool sets_app_name) {
  Sv t = s.substr(1);
  const Sv tag = t.substr(0, t.find_first_of(" :"));
  t.remove_prefix(tag.size());
  if (!eat(t, ':') && !eat(t, " :")) return false;
  const auto mnemonic_dash = tag.rfind('-');
  if (mnemonic_dash == Sv::npos || mnemonic_dash < 3 || mnemonic_dash + 1 == tag.size()) return false;
  const auto severity_dash = tag.rfind('-', mnemonic_dash - 1);
  const Sv severity = tag.substr(severity_dash + 1, mnemonic_dash - severity_dash - 1);
  if (severity_dash == Sv::npos || severity_dash == 0 || severity.size() != 1 || severity[0] > '7' ||
      !is_digit(severity[0]))
    return false;
  if (sets_app_name) m.app_name = s.substr(0, tag.size() + 1);
  add_field(m, limits, "cisco_facility", tag.substr(0, severity_dash));
  add_field(m, limits, "cisco_severity", severity);
  add_field(m, limits, "cisco_mnemonic", tag.substr(mnemonic_dash + 1));
  eat(t, ' ');
  s = t;
  return true;
}

bool is_vrp_name_char(char c) { return is_alnum(c) || c == '_'; }

// Huawei VRP / H3C Comware "%%01IFNET/4/LINK_STATE(l)[0]:". The "(l)" type
// and "[0]" counter are left out of app_name so that it is stable per event type.
bool take_vrp_tag(Sv& s, MessageView& m, const Limits& limits) {
  Sv t = s.substr(2);
  if (take_digits(t, 2) < 0) return false;
  const Sv module = take_while(t, is_vrp_name_char);
  if (module.empty() || !eat(t, '/')) return false;
  const Sv severity = take_while(t, is_digit, 1);
  if (severity.empty() || !eat(t, '/')) return false;
  const Sv mnemonic = take_while(t, is_vrp_name_char);
  if (mnemonic.empty()) return false;
  const Sv app_name = consumed(s, t);
  if (eat(t, '(') && (take_while(t, is_alnum, 4).empty() || !eat(t, ')'))) return false;
  if (eat(t, '[') && (take_while(t, is_digit).empty() || !eat(t, ']'))) return false;
  if (!eat(t, ':')) return false;
  eat(t, ' ');
  m.app_name = app_name;
  add_field(m, limits, "vrp_module", module);
  add_field(m, limits, "vrp_severity", severity);
  add_field(m, limits, "vrp_mnemonic", mnemonic);
  s = t;
  return true;
}

bool is_tag_char(char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '@'; }

// "prog:", "prog[pid]:", "prog[pid]" and "prog:msg". A word that ends in a
// space is not a tag: "Use the BFG!" (RFC 3164 §5.4) is all MSG.
bool take_program_tag(Sv& s, MessageView& m) {
  Sv t = s;
  const Sv name = take_while(t, is_tag_char, 65);
  if (name.empty() || name.size() > 64 || t.empty()) return false;
  Sv pid;
  if (eat(t, '[')) {
    const auto close = t.find(']');
    pid = t.substr(0, close);
    if (close == Sv::npos || pid.find(' ') != Sv::npos) return false;
    t.remove_prefix(close + 1);
    if (!eat(t, ':') && !t.empty() && t[0] != ' ') return false;
  } else if (!eat(t, ':')) {
    return false;
  }
  eat(t, ' ');
  m.app_name = name;
  m.proc_id = pid;
  s = t;
  return true;
}

bool is_junos_tag_char(char c) { return is_upper(c) || is_digit(c) || c == '_'; }

// Junos starts its text with an event tag: "mib2d[1234]: SNMP_TRAP_LINK_DOWN: ...".
void take_junos_tag(Sv& s, MessageView& m, const Limits& limits) {
  Sv t = s;
  const Sv tag = take_while(t, is_junos_tag_char);
  if (tag.size() < 3 || !is_upper(tag[0]) || tag.find('_') == Sv::npos || !eat(t, ':')) return;
  if (!t.empty() && !eat(t, ' ')) return;
  add_field(m, limits, "junos_tag", tag);
  s = t;
}

void take_tag(Sv& s, MessageView& m, const Limits& limits) {
  if (s.starts_with("%%") && take_vrp_tag(s, m, limits)) return;
  if (s.starts_with('%') && take_cisco_tag(s, m, limits, true)) return;
  if (!take_program_tag(s, m)) return;
  if (s.starts_with('%')) {
    take_cisco_tag(s, m, limits, false);
  } else {
    take_junos_tag(s, m, limits);
  }
}

// ---------------------------------------------------------------- key=value (FortiGate)

bool is_key_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

bool starts_with_key(Sv s) {
  const Sv key = take_while(s, is_key_char, 64);
  return !key.empty() && s.starts_with('=');
}

void take_key_values(Sv s, MessageView& m, const Limits& limits) {
  while (!s.empty()) {
    skip_spaces(s);
    const Sv key = take_while(s, is_key_char);
    if (key.empty() || !eat(s, '=')) return;
    Sv value;
    if (eat(s, '"')) {
      const auto close = s.find('"');
      value = s.substr(0, close);
      s.remove_prefix(close == Sv::npos ? s.size() : close + 1);
    } else {
      value = s.substr(0, s.find(' '));
      s.remove_prefix(value.size());
    }
    add_field(m, limits, key, value);
  }
}

// FortiOS 6.2+ "eventtime" is in ns (µs or s on some builds); older builds
// only give local date and time, with "tz" on most of them.
std::int64_t fortigate_epoch_ms(const MessageView& m) {
  if (const auto* eventtime = m.field("eventtime"); eventtime && !eventtime->empty()) {
    const auto digits = eventtime->size();
    if (digits > 19) return 0;
    std::uint64_t value = 0;
    for (char c : *eventtime) {
      if (!is_digit(c)) return 0;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    const auto ms = digits >= 18 ? value / 1'000'000 : digits >= 15 ? value / 1000 : digits >= 12 ? value : value * 1000;
    return static_cast<std::int64_t>(ms);
  }
  const auto *date = m.field("date"), *clock = m.field("time"), *tz = m.field("tz");
  if (!date || !clock || !tz) return 0;
  Civil c;
  Sv d = *date, t = *clock, z = *tz;
  if (!take_iso_date(d, c) || !take_time_of_day(t, c) || !take_numeric_offset(z, c)) return 0;
  return epoch_ms(c);
}

void add_fortigate_header(MessageView& m) {
  const auto *devname = m.field("devname"), *date = m.field("date"), *clock = m.field("time");
  if (m.hostname.empty() && devname) m.hostname = *devname;
  if (!m.timestamp.empty() || !date || !clock) return;
  const Sv date_text = append_text(m, *date);
  append_text(m, " ");
  m.timestamp = Sv(date_text.data(), date_text.size() + 1 + append_text(m, *clock).size());
  m.timestamp_ms = fortigate_epoch_ms(m);
}

void parse_3164(Sv s, MessageView& m, const Limits& limits) {
  m.format = Format::rfc3164;
  s = strip_bom(s);
  eat(s, ": ");  // NX-OS and some IOS builds send "<187>: 2024 Mar ..."
  if (const Sv seq = take_sequence(s); !seq.empty()) add_field(m, limits, "cisco_seq", seq);
  take_name_before_timestamp(s, m, limits);
  if (Stamp stamp; take_3164_timestamp(s, stamp)) {
    set_timestamp(m, stamp, limits);
    skip_spaces(s);
    take_hostname(s, m);
    take_cisco_body_prefix(s, m, limits);
  }
  take_tag(s, m, limits);
  m.message = strip_bom(s);
  if (m.app_name.empty() && starts_with_key(s)) {
    take_key_values(s, m, limits);
    add_fortigate_header(m);
  }
}

// ---------------------------------------------------------------- framing

enum class PriStatus : std::uint8_t { absent, ok, bad };

PriStatus take_pri(Sv& s, int& pri) {
  if (!s.starts_with('<')) return PriStatus::absent;
  std::size_t i = 1;
  int value = 0;
  for (; i < s.size() && i <= 3 && is_digit(s[i]); ++i) value = value * 10 + (s[i] - '0');
  if (i == 1 || i >= s.size() || s[i] != '>' || value > 191) return PriStatus::bad;
  pri = value;
  s.remove_prefix(i + 1);
  return PriStatus::ok;
}

enum class Shape : std::uint8_t { rfc5424, rfc3164, bad_version };

// "<PRI>1 " is RFC 5424. Another VERSION number followed by an RFC 5424
// TIMESTAMP is a 5424 sender we do not speak; anything else is BSD text.
Shape detect_shape(Sv s) {
  Sv t = s;
  const Sv version = take_while(t, is_digit, 4);
  if (version.empty() || version.size() > 3 || version[0] == '0' || !eat(t, ' ')) return Shape::rfc3164;
  if (version == "1") return Shape::rfc5424;
  return (t.starts_with("- ") || starts_with_digits(t, 4, '-')) ? Shape::bad_version : Shape::rfc3164;
}

ParseResult reject(RejectReason reason) { return {std::nullopt, reason}; }

}  // namespace

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::empty: return "empty";
    case RejectReason::too_long: return "too_long";
    case RejectReason::bad_pri: return "bad_pri";
    case RejectReason::truncated: return "truncated";
    case RejectReason::bad_version: return "bad_version";
    case RejectReason::bad_timestamp: return "bad_timestamp";
    case RejectReason::bad_header: return "bad_header";
    case RejectReason::bad_structured_data: return "bad_structured_data";
    case RejectReason::too_many_sd_elements: return "too_many_sd_elements";
  }
  return "unknown";
}

const std::string* Message::field(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (key == name) return &value;
  return nullptr;
}

const std::string_view* MessageView::field(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (key == name) return &value;
  return nullptr;
}

std::optional<RejectReason> parse(std::string_view bytes, const Limits& limits, MessageView& m) {
  m.format = Format::rfc3164;
  m.facility = 1;
  m.severity = 5;
  m.timestamp = m.hostname = m.app_name = m.proc_id = m.msg_id = m.message = {};
  m.timestamp_ms = 0;
  m.structured_data.clear();
  m.sd_params.clear();
  m.fields.clear();
  m.fields_truncated = false;
  m.text.clear();
  if (bytes.size() > limits.max_message) return RejectReason::too_long;
  m.text.reserve(bytes.size() + 1);  // at most every byte of the line and one space
  Sv s = trim_frame(bytes);
  int pri = 13;  // RFC 3164 §4.3.3: a line without PRI is user.notice
  if (take_pri(s, pri) == PriStatus::bad) return RejectReason::bad_pri;
  if (s.empty()) return RejectReason::empty;
  m.facility = pri / 8;
  m.severity = pri % 8;
  switch (detect_shape(s)) {
    case Shape::bad_version: return RejectReason::bad_version;
    case Shape::rfc5424: return parse_5424(s.substr(2), m, limits);
    case Shape::rfc3164: parse_3164(s, m, limits); return std::nullopt;
  }
  return std::nullopt;
}

ParseResult parse(std::string_view bytes, const Limits& limits) {
  thread_local MessageView v;
  if (auto reason = parse(bytes, limits, v)) return reject(*reason);
  Message m;
  m.format = v.format;
  m.facility = v.facility;
  m.severity = v.severity;
  m.timestamp = v.timestamp;
  m.timestamp_ms = v.timestamp_ms;
  m.hostname = v.hostname;
  m.app_name = v.app_name;
  m.proc_id = v.proc_id;
  m.msg_id = v.msg_id;
  m.structured_data.reserve(v.structured_data.size());
  for (const auto& element : v.structured_data) {
    auto& out = m.structured_data.emplace_back();
    out.id = element.id;
    for (const auto& p : v.params(element)) out.params.push_back({std::string(p.name), std::string(p.value)});
  }
  m.message = v.message;
  m.fields.reserve(v.fields.size());
  for (const auto& [key, value] : v.fields) m.fields.emplace_back(key, value);
  m.fields_truncated = v.fields_truncated;
  return {std::move(m), RejectReason::empty};
}

}  // namespace tocsin::syslog
