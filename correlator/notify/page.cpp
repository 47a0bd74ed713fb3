// Renderings of pages per channel and kind. The incident's short code is its
// id (#12), which reply commands and reply tokens name. Everything that comes
// from events (titles, resources, attributes) is made valid UTF-8; subjects
// are sanitized header values.
#include "correlator/notify/page.hpp"

#include <array>

#include "correlator/clock.hpp"

namespace tocsin::notify {

namespace {
constexpr std::array<std::string_view, 6> kind_names{"opened", "escalated", "acknowledged", "resolved", "sla_breach",
                                                      "flapping"};
constexpr std::array<std::string_view, 6> kind_words{"opened", "ESCALATED", "acknowledged", "resolved", "SLA breach",
                                                      "flapping"};
constexpr std::size_t sms_segment = 160;
constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned min = 0;
  if ((b & 0xE0) == 0xC0) n = 2, min = 0x80;
  else if ((b & 0xF0) == 0xE0) n = 3, min = 0x800;
  else if ((b & 0xF8) == 0xF0) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  unsigned cp = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Index of the first byte that starts no valid UTF-8 sequence (size when none).
std::size_t first_invalid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return s.size();
}

// In place: a page is almost always valid already, and then nothing is copied.
void make_valid_utf8(std::string& s) {
  if (first_invalid(s) != s.size()) s = valid_utf8(s);
}

std::string short_line(const Incident& i, const PageContext& c) {
  std::string s = i.priority + " #" + std::to_string(i.id);
  if (c.kind != PageKind::opened) s += " " + std::string(kind_words[static_cast<std::size_t>(c.kind)]);
  s += ": ";
  if (c.alert != nullptr) s += c.alert->name + " on " + c.alert->resource;
  else s += i.title;
  return s;
}

void line(std::string& body, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  body += label;
  body.append(12 - std::min<std::size_t>(label.size(), 11), ' ');
  body += value;
  body += '\n';
}

Page render_sms(const Incident& i, const PageContext& c) {
  const std::string id = std::to_string(i.id);
  std::string text = short_line(i, c);
  if (!c.detail.empty()) text += " (" + c.detail + ")";
  std::string tail;
  if (c.kind != PageKind::resolved) tail = ". Reply ACK " + id + " or RES " + id;
  if (text.size() + tail.size() > sms_segment && sms_segment > tail.size() + 3) {
    // Cut on a character boundary so the tail (the reply commands) survives.
    std::size_t cut = sms_segment - tail.size() - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  text += tail;
  make_valid_utf8(text);
  return {"", std::move(text)};
}

Page render_email(const Incident& i, const PageContext& c) {
  const std::string id = std::to_string(i.id);
  const Alert* a = c.alert;
  Page page;
  std::string subject = "[" + i.priority + "] #" + id + " ";
  if (c.kind != PageKind::opened) subject += std::string(kind_words[static_cast<std::size_t>(c.kind)]) + ": ";
  subject += a != nullptr ? a->name + " on " + a->resource : i.title;
  page.subject = sanitize_header(subject);

  std::string& b = page.body;
  b.reserve(512);  // about the size of a page: grown once, not once per line
  b += "Incident #" + id + " " + std::string(kind_words[static_cast<std::size_t>(c.kind)]) + ": " + i.title + "\n";
  if (c.step > 0) b += "Escalation step " + std::to_string(c.step) + "\n";
  if (!c.person.empty()) b += "For " + c.person + "\n";
  b += "\n";
  line(b, "Priority:", i.priority);
  line(b, "Severity:", std::string(to_string(i.severity)));
  if (a != nullptr) {
    line(b, "Resource:", a->resource);
    line(b, "Alert:", a->name);
  }
  line(b, "Group:", i.group);
  line(b, "Assignee:", i.assignee);
  const std::string& ci_name = a != nullptr && !a->cmdb.name().empty() ? a->cmdb.name() : i.cmdb.name();
  const Label& criticality = a != nullptr && !a->criticality.empty() ? a->criticality : i.criticality;
  if (!ci_name.empty()) line(b, "CI:", criticality.empty() ? ci_name : ci_name + " (" + criticality + ")");
  line(b, "Location:", a != nullptr && !a->cmdb.location().empty() ? a->cmdb.location() : i.cmdb.location());
  const auto& services = a != nullptr && !a->cmdb.services().empty() ? a->cmdb.services() : i.cmdb.services();
  if (!services.empty()) {
    std::string list;
    for (const auto& s : services) list += (list.empty() ? "" : " ") + s;
    line(b, "Services:", list);
  }
  line(b, "Runbook:", a != nullptr && !a->cmdb.runbook().empty() ? a->cmdb.runbook() : i.cmdb.runbook());
  if (a != nullptr && a->first_seen_ms > 0) line(b, "First seen:", format_rfc3339(a->first_seen_ms));
  if (!c.detail.empty()) b += "\n" + c.detail + "\n";
  if (a != nullptr && !a->attributes.empty()) {
    b += "\nDetails:\n";
    for (const auto& [k, v] : a->attributes) b += "  " + k + ": " + v + "\n";
  }
  if (!c.console_url.empty()) b += "\nLink:       " + c.console_url + "/api/v1/incidents/" + id + "\n";
  if (c.kind != PageKind::resolved) {
    b += "\nAcknowledge: tocsinctl ack " + id + "\n";
  }
  make_valid_utf8(b);
  return page;
}
}  // namespace

std::string_view to_string(PageKind k) { return kind_names[static_cast<std::size_t>(k)]; }

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t run = 0;  // start of the valid bytes not yet copied
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n != 0) {
      i += n;
      continue;
    }
    out.append(s.substr(run, i - run));
    out += replacement;
    run = ++i;
  }
  out.append(s.substr(run));
  return out;
}

std::string sanitize_header(std::string_view value, std::size_t max_bytes) {
  std::string s = valid_utf8(value);
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes > 3 ? max_bytes - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

Page render(const PageContext& c) {
  const Incident& i = *c.incident;
  if (c.channel == "sms") return render_sms(i, c);
  return render_email(i, c);
}

}  // namespace tocsin::notify
