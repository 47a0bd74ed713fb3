// See authority.hpp.
#include "correlator/oncall/authority.hpp"

#include <algorithm>
#include <array>

namespace tocsin::oncall {

namespace {
constexpr std::array<std::string_view, 7> names{"none", "assignee", "on_call", "paged", "lead", "manager", "member"};

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool was_paged(const Directory& directory, std::string_view person, const std::vector<Notification>& pages) {
  return std::any_of(pages.begin(), pages.end(), [&](const Notification& n) {
    if (n.person == person) return true;
    // Pages to configured addresses (notifications.email.recipients) name no
    // person; the address may still be one of theirs.
    if (!n.person.empty() || n.channel == "webhook") return false;
    const Person* owner = directory.person_by_address(n.channel, n.recipient);
    return owner != nullptr && owner->id == person;
  });
}
}  // namespace

std::string_view to_string(Standing s) { return names[static_cast<std::size_t>(s)]; }

Standing standing(const Directory& directory, std::string_view person, const Incident& incident,
                  const std::vector<Notification>& pages, std::int64_t now_ms) {
  return standing(directory, person, incident, PagesOf([&pages] { return pages; }), now_ms);
}

Standing standing(const Directory& directory, std::string_view person, const Incident& incident,
                  const PagesOf& pages, std::int64_t now_ms) {
  if (person.empty() || directory.person(person) == nullptr) return Standing::none;
  if (incident.assignee == person) return Standing::assignee;
  std::string_view group = incident.group;
  if (contains(directory.on_call(group, Layer::primary, now_ms), person) ||
      contains(directory.on_call(group, Layer::secondary, now_ms), person))
    return Standing::on_call;
  if (pages && was_paged(directory, person, pages())) return Standing::paged;
  if (directory.lead(group) == person) return Standing::lead;
  if (directory.manager(group) == person) return Standing::manager;
  if (contains(directory.members(group), person)) return Standing::member;
  return Standing::none;
}

}  // namespace tocsin::oncall
