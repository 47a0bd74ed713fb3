#pragma once
// Who may act on an incident from a reply channel (an e-mail or SMS answer to
// a page), where no API token vouches for the actor: the person the sender
// address belongs to must stand in some relation to the incident. Pure.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "correlator/model.hpp"
#include "correlator/oncall/directory.hpp"

namespace tocsin::oncall {

// Why a person may act on an incident, checked in this order; none: they may not.
enum class Standing : std::uint8_t {
  none = 0,
  assignee,  // the incident's assignee
  on_call,   // on duty (primary or secondary) for the incident's group now
  paged,     // a page of this incident went to them (by person, or to one of their addresses)
  lead,      // lead of the incident's group
  manager,   // manager of the incident's group
  member,    // member of the incident's group
};

std::string_view to_string(Standing s);

// The notifications of the incident (any state), read only when the cheaper
// checks (assignee, on call) did not decide: most replies come from the
// person on call, and an incident may have thousands of pages.
using PagesOf = std::function<std::vector<Notification>()>;

Standing standing(const Directory& directory, std::string_view person, const Incident& incident,
                  const PagesOf& pages, std::int64_t now_ms);
// The same with the pages at hand.
Standing standing(const Directory& directory, std::string_view person, const Incident& incident,
                  const std::vector<Notification>& pages, std::int64_t now_ms);

}  // namespace tocsin::oncall
