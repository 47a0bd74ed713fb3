// Names of the record states, as they appear in the store and the API.
#include "correlator/model.hpp"

#include <array>

namespace tocsin {
namespace {
constexpr std::array<std::string_view, 4> alert_states{"firing", "resolved", "flapping", "suppressed"};
constexpr std::array<std::string_view, 4> incident_states{"open", "acknowledged", "resolved", "closed"};
constexpr std::array<std::string_view, 5> notification_states{"pending", "sending", "sent", "failed",
                                                             "cancelled"};

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace

std::string_view to_string(AlertState s) { return alert_states[static_cast<std::size_t>(s)]; }
std::string_view to_string(IncidentState s) { return incident_states[static_cast<std::size_t>(s)]; }
std::string_view to_string(NotificationState s) { return notification_states[static_cast<std::size_t>(s)]; }
std::optional<AlertState> parse_alert_state(std::string_view s) { return parse<AlertState>(alert_states, s); }
std::optional<IncidentState> parse_incident_state(std::string_view s) {
  return parse<IncidentState>(incident_states, s);
}
std::optional<NotificationState> parse_notification_state(std::string_view s) {
  return parse<NotificationState>(notification_states, s);
}

}  // namespace tocsin
