#pragma once
// A small in-memory on-call directory for the escalation tests.
#include <map>
#include <string>
#include <vector>

#include "correlator/oncall/directory.hpp"

namespace tocsin::testing {

class FakeDirectory final : public oncall::Directory {
 public:
  std::map<std::string, oncall::Person> people;
  std::map<std::string, std::vector<std::string>> primary, secondary, group_members;  // by group
  std::map<std::string, std::string> leads, managers;

  void add(std::string id, std::vector<oncall::Contact> contacts) {
    people[id] = {id, id, std::move(contacts), ""};
  }
  const oncall::Person* person(std::string_view id) const override {
    auto it = people.find(std::string(id));
    return it == people.end() ? nullptr : &it->second;
  }
  const oncall::Person* person_by_address(std::string_view, std::string_view) const override { return nullptr; }
  std::vector<std::string> on_call(std::string_view group, oncall::Layer layer, std::int64_t) const override {
    const auto& m = layer == oncall::Layer::primary ? primary : secondary;
    auto it = m.find(std::string(group));
    return it == m.end() ? std::vector<std::string>{} : it->second;
  }
  std::string lead(std::string_view group) const override { return get(leads, group); }
  std::string manager(std::string_view group) const override { return get(managers, group); }
  std::vector<std::string> members(std::string_view group) const override {
    auto it = group_members.find(std::string(group));
    return it == group_members.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  static std::string get(const std::map<std::string, std::string>& m, std::string_view k) {
    auto it = m.find(std::string(k));
    return it == m.end() ? "" : it->second;
  }
};

// network-ops: alice primary, bob secondary, carol lead, dave manager.
inline FakeDirectory network_ops_directory() {
  FakeDirectory d;
  d.add("alice", {{"sms", "+33600000001"}, {"email", "alice@example.net"}});
  d.add("bob", {{"email", "bob@example.net"}, {"sms", "+33600000002"}});
  d.add("carol", {{"email", "carol@example.net"}});
  d.add("dave", {{"email", "dave@example.net"}, {"sms", "+33600000004"}});
  d.primary["network-ops"] = {"alice"};
  d.secondary["network-ops"] = {"bob"};
  d.group_members["network-ops"] = {"alice", "bob", "carol"};
  d.leads["network-ops"] = "carol";
  d.managers["network-ops"] = "dave";
  return d;
}

}  // namespace tocsin::testing
