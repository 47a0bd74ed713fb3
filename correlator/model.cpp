// Names of the record states, as they appear in the store and the API, and
// the shared CI fields of alerts and incidents.
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

LabelAttributes label_attributes(const Attributes& attributes) {
  LabelAttributes out;
  out.reserve(attributes.size());
  for (const auto& [name, value] : attributes) out.emplace_back(name, value);
  return out;
}

namespace {
const std::string no_text;
const std::vector<std::string> no_services;
}  // namespace

CiFields CiFields::copy_of(std::string name, std::vector<std::string> services, std::string location,
                           std::string runbook) {
  if (name.empty() && services.empty() && location.empty() && runbook.empty()) return {};
  auto ci = std::make_shared<cmdb::Ci>();
  ci->name = std::move(name);
  ci->services = std::move(services);
  ci->location = std::move(location);
  ci->runbook = std::move(runbook);
  return CiFields(std::move(ci));
}

const std::string& CiFields::name() const { return ci_ ? ci_->name : no_text; }
const std::vector<std::string>& CiFields::services() const { return ci_ ? ci_->services : no_services; }
const std::string& CiFields::location() const { return ci_ ? ci_->location : no_text; }
const std::string& CiFields::runbook() const { return ci_ ? ci_->runbook : no_text; }

bool CiFields::same_values(const cmdb::Ci& ci) const {
  return name() == ci.name && services() == ci.services && location() == ci.location && runbook() == ci.runbook;
}

}  // namespace tocsin
