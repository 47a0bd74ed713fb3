// Who may act on an incident by reply: assignee, on call, paged, lead,
// manager, member of its group; nobody else.
#include "correlator/oncall/authority.hpp"

#include <gtest/gtest.h>

#include "correlator/oncall/roster.hpp"

namespace tocsin::oncall {
namespace {

constexpr std::int64_t now = 1'790'000'000'000;  // 2026-09-21

Snapshot directory() {
  RosterData d;
  for (const char* id : {"alice", "bob", "carol", "dave", "erin", "frank", "gina"})
    d.people.push_back({id, id, {{"email", std::string(id) + "@example.net"}}, ""});
  d.groups.push_back({"noc", "NOC", {"alice", "erin"}, "carol", "dave"});
  d.groups.push_back({"dba", "DBA", {"gina"}, "", ""});
  Rotation primary;
  primary.participants = {"bob"};
  primary.shift_minutes = 24 * 60;
  Rotation secondary = primary;
  secondary.layer = Layer::secondary;
  secondary.participants = {"frank"};
  d.rosters.push_back({"noc", {primary, secondary}, {}});
  return Snapshot(std::move(d));
}

Incident incident() {
  Incident i;
  i.id = 12;
  i.group = "noc";
  return i;
}

Notification page(std::string person, std::string recipient) {
  Notification n;
  n.incident_id = 12;
  n.channel = "email";
  n.person = std::move(person);
  n.recipient = std::move(recipient);
  return n;
}

TEST(ReplyAuthority, EachRelationToTheIncidentAllowsAndStrangersDoNot) {
  const Snapshot d = directory();
  Incident i = incident();
  i.assignee = "gina";
  const std::vector<Notification> none;
  EXPECT_EQ(standing(d, "gina", i, none, now), Standing::assignee);
  EXPECT_EQ(standing(d, "bob", i, none, now), Standing::on_call);
  EXPECT_EQ(standing(d, "frank", i, none, now), Standing::on_call);
  EXPECT_EQ(standing(d, "carol", i, none, now), Standing::lead);
  EXPECT_EQ(standing(d, "dave", i, none, now), Standing::manager);
  EXPECT_EQ(standing(d, "alice", i, none, now), Standing::member);
  i.assignee.clear();
  EXPECT_EQ(standing(d, "gina", i, none, now), Standing::none);
  EXPECT_EQ(standing(d, "nobody", i, none, now), Standing::none);
  EXPECT_EQ(standing(d, "", i, none, now), Standing::none);
}

TEST(ReplyAuthority, APageByPersonOrToOneOfTheirAddressesAllows) {
  const Snapshot d = directory();
  const Incident i = incident();
  EXPECT_EQ(standing(d, "gina", i, {page("gina", "gina@example.net")}, now), Standing::paged);
  // notifications.email.recipients pages name no person, only the address.
  EXPECT_EQ(standing(d, "gina", i, {page("", "GINA@example.net")}, now), Standing::paged);
  EXPECT_EQ(standing(d, "gina", i, {page("", "someone-else@example.net")}, now), Standing::none);
  EXPECT_EQ(standing(d, "gina", i, {page("bob", "gina@example.net")}, now), Standing::none)
      << "a page to another person does not count, whatever its address";
}

TEST(ReplyAuthority, ThePagesAreReadOnlyWhenAssigneeAndOnCallDoNotDecide) {
  const Snapshot d = directory();
  Incident i = incident();
  i.assignee = "gina";
  int reads = 0;
  const PagesOf pages = [&reads] {
    ++reads;
    return std::vector<Notification>{page("carol", "carol@example.net")};
  };
  EXPECT_EQ(standing(d, "gina", i, pages, now), Standing::assignee);
  EXPECT_EQ(standing(d, "bob", i, pages, now), Standing::on_call);
  EXPECT_EQ(reads, 0);
  EXPECT_EQ(standing(d, "carol", i, pages, now), Standing::paged);
  EXPECT_EQ(reads, 1);
}

}  // namespace
}  // namespace tocsin::oncall
