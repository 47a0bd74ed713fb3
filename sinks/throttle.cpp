// Page-storm control: quiet hours, the per-recipient rate limit and bundles.
#include "sinks/throttle.hpp"

#include "correlator/time_zone.hpp"

#include <algorithm>

namespace tocsin {

namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t day_ms = 24 * 60 * minute_ms;

bool in_quiet(const QuietHours& q, std::int64_t minute_of_day) {
  if (q.start_minute < q.end_minute) return minute_of_day >= q.start_minute && minute_of_day < q.end_minute;
  return minute_of_day >= q.start_minute || minute_of_day < q.end_minute;
}

// The short line of one page: the SMS text without its reply commands, or the e-mail subject.
std::string item_line(const Notification& n, std::string_view channel) {
  std::string text = channel == "sms" || n.subject.empty() ? n.body : n.subject;
  if (auto cut = text.find(". Reply ACK "); cut != std::string::npos) text.resize(cut);
  if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text;
}

// Cut on a UTF-8 character boundary.
std::string cut_utf8(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

}  // namespace

std::optional<std::int64_t> quiet_until(const QuietHours& q, std::int64_t at_ms) {
  if (!q.enabled()) return std::nullopt;
  const date::time_zone* zone = find_zone(q.time_zone);
  std::int64_t local_ms = at_ms;
  if (zone != nullptr) {
    date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(at_ms)};
    local_ms = zone->to_local(t).time_since_epoch().count();
  }
  const std::int64_t day_start = floor_div(local_ms, day_ms) * day_ms;
  const std::int64_t minute_of_day = (local_ms - day_start) / minute_ms;
  if (!in_quiet(q, minute_of_day)) return std::nullopt;
  std::int64_t end_local = day_start + q.end_minute * minute_ms;
  if (end_local <= local_ms) end_local += day_ms;
  if (zone == nullptr) return end_local;
  // A local end time skipped by a DST change maps to the instant of the change.
  date::local_time<std::chrono::milliseconds> local{std::chrono::milliseconds(end_local)};
  auto sys = zone->to_sys(local, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

bool held_by_quiet_hours(const QuietHours& q, std::string_view priority) {
  if (!q.enabled() || priority.size() != 2 || (priority[0] != 'P' && priority[0] != 'p')) return false;
  const int number = priority[1] - '0';
  return number >= 1 && number <= 9 && number >= q.from_priority;
}

std::int64_t RecipientLimiter::next_slot(const std::string& key, std::int64_t now_ms) {
  if (max_ <= 0) return now_ms;
  forget_old(now_ms);
  auto it = sent_.find(key);
  if (it == sent_.end()) return now_ms;
  auto& times = it->second;
  while (!times.empty() && times.front() + window_ms_ <= now_ms) times.pop_front();
  if (static_cast<int>(times.size()) < max_) return now_ms;
  // The oldest of the last `max_` sends leaves the window first.
  return times[times.size() - static_cast<std::size_t>(max_)] + window_ms_;
}

void RecipientLimiter::record(const std::string& key, std::int64_t now_ms) {
  if (max_ <= 0) return;
  auto& times = sent_[key];
  times.push_back(now_ms);
  while (static_cast<int>(times.size()) > max_) times.pop_front();
}

void RecipientLimiter::forget_old(std::int64_t now_ms) {
  // Once a window, drop the recipients nothing was sent to within it: the map
  // stays as large as the set of recipients actually paged lately.
  if (now_ms - last_sweep_ms_ < window_ms_) return;
  last_sweep_ms_ = now_ms;
  std::erase_if(sent_, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() + window_ms_ <= now_ms;
  });
}

BundleText render_bundle(const std::vector<Notification>& items, std::string_view channel,
                         std::size_t max_sms_chars) {
  BundleText out;
  const std::string count = std::to_string(items.size());
  if (channel == "sms") {
    std::string text = "Tocsin: " + count + " pages.";
    const std::string tail = ". Reply ACK <id> or RES <id>";
    std::size_t shown = 0;
    for (const auto& n : items) {
      std::string next = (shown == 0 ? " " : " | ") + item_line(n, channel);
      std::string more = " | +" + std::to_string(items.size() - shown - 1) + " more";
      bool last = shown + 1 == items.size();
      if (text.size() + next.size() + (last ? 0 : more.size()) + tail.size() > max_sms_chars) break;
      text += next;
      ++shown;
    }
    if (shown < items.size()) {
      std::string more = (shown == 0 ? " +" : " | +") + std::to_string(items.size() - shown) + " more";
      text += more;
    }
    out.body = cut_utf8(text + tail, max_sms_chars);
    return out;
  }
  out.subject = "[Tocsin] " + count + " incidents need attention";
  out.body = count + " pages for you were bundled into this message:\n\n";
  for (const auto& n : items) out.body += "  " + item_line(n, channel) + "\n";
  out.body += "\nEach incident is listed in the console; acknowledge each one there, with tocsinctl, "
              "or by SMS (ACK <id>).\n";
  return out;
}

}  // namespace tocsin
