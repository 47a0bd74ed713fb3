// Names of incident actions as they appear in API paths and the timeline.
#include "correlator/actions.hpp"

namespace tocsin {

std::string_view to_string(ActionKind k) { return k == ActionKind::acknowledge ? "acknowledge" : "resolve"; }

std::optional<ActionKind> parse_action_kind(std::string_view s) {
  if (s == "acknowledge") return ActionKind::acknowledge;
  if (s == "resolve") return ActionKind::resolve;
  return std::nullopt;
}

}  // namespace tocsin
