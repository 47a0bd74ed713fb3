// Plain renderings of pages; SMS text is kept short (the incident's short code
// is its id, which the reply commands name).
#include "correlator/notify/page.hpp"

#include <array>

namespace tocsin::notify {

namespace {
constexpr std::array<std::string_view, 6> kind_names{"opened", "escalated", "acknowledged", "resolved", "sla_breach",
                                                      "flapping"};
}

std::string_view to_string(PageKind k) { return kind_names[static_cast<std::size_t>(k)]; }

Page render(const PageContext& c) {
  const Incident& i = *c.incident;
  const std::string id = std::to_string(i.id);
  const std::string what = std::string(to_string(c.kind));
  Page page;
  if (c.channel == "sms") {
    page.body = i.priority + " #" + id + " " + what + ": " + i.title;
    if (!i.ci_name.empty()) page.body += " on " + i.ci_name;
    if (!c.detail.empty()) page.body += " (" + c.detail + ")";
    page.body += ". Reply ACK " + id + " or RES " + id;
    return page;
  }
  page.subject = "[" + i.priority + "] #" + id + " " + what + ": " + i.title;
  page.body = "Incident #" + id + " " + what + ": " + i.title + "\n\n";
  page.body += "Priority:   " + i.priority + "\n";
  page.body += "Group:      " + i.group + "\n";
  if (!i.assignee.empty()) page.body += "Assignee:   " + i.assignee + "\n";
  if (!i.ci_name.empty()) page.body += "CI:         " + i.ci_name + "\n";
  if (!c.detail.empty()) page.body += "\n" + c.detail + "\n";
  if (!c.console_url.empty()) page.body += "\n" + c.console_url + "/api/v1/incidents/" + id + "\n";
  return page;
}

}  // namespace tocsin::notify
