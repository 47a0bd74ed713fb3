// Names of incident actions as they appear in API paths and the timeline.
#include "correlator/actions.hpp"

#include <array>

namespace tocsin {

namespace {
constexpr std::array<std::string_view, 10> action_names{"acknowledge", "resolve",  "close",   "reopen",
                                                        "assign",      "forward",  "return",  "escalate",
                                                        "comment",     "priority"};
}

std::string_view to_string(ActionKind k) { return action_names[static_cast<std::size_t>(k)]; }

std::optional<ActionKind> parse_action_kind(std::string_view s) {
  for (std::size_t i = 0; i < action_names.size(); ++i)
    if (action_names[i] == s) return static_cast<ActionKind>(i);
  return std::nullopt;
}

}  // namespace tocsin
