// The people and groups of the on-call directory through the API: bodies
// are shaped like the configuration's keys and every mistake names its
// field; a GET answer is accepted back by PUT; the stored overlay replaces
// or hides the configured entries of the same id; a change that would leave
// the directory inconsistent is refused with 400, counted and not stored;
// the overlay survives a rebase (reload) and a new directory built from the
// store (restart).
#include "daemon/people_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <future>

#include "store/sqlite/sqlite_store.hpp"

namespace tocsin::api {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::shared_ptr<const oncall::Snapshot> configured() {
  oncall::RosterData d;
  d.people.push_back({"alice", "Alice Martin", {{"sms", "+33612345670"}}, "Europe/Paris"});
  d.people.push_back({"bob", "Bob Durand", {{"email", "bob@example.net"}}, ""});
  d.groups.push_back({"noc", "NOC", {"alice", "bob"}, "bob", ""});
  oncall::Rotation r;
  r.participants = {"alice"};
  d.rosters.push_back({"noc", {r}, {}});
  return std::make_shared<const oncall::Snapshot>(std::move(d));
}

BodyRefusal person_refusal(std::string_view body, std::optional<std::string_view> path_id = std::nullopt) {
  auto r = parse_person(body, path_id, PeopleLimits{});
  EXPECT_TRUE(std::holds_alternative<BodyRefusal>(r)) << body;
  return std::holds_alternative<BodyRefusal>(r) ? std::get<BodyRefusal>(r) : BodyRefusal{};
}

BodyRefusal group_refusal(std::string_view body, std::optional<std::string_view> path_id = std::nullopt) {
  auto r = parse_group(body, path_id, PeopleLimits{});
  EXPECT_TRUE(std::holds_alternative<BodyRefusal>(r)) << body;
  return std::holds_alternative<BodyRefusal>(r) ? std::get<BodyRefusal>(r) : BodyRefusal{};
}

TEST(PeopleBody, AValidPersonKeepsItsContactsInOrder) {
  auto r = parse_person(
      R"({"id":"zoe","name":"Zoé Petit","time_zone":"America/New_York",
          "contacts":[{"sms":"+1 212 555 0100"},{"email":"zoe@example.net"}]})",
      std::nullopt, PeopleLimits{});
  ASSERT_TRUE(std::holds_alternative<oncall::Person>(r));
  auto p = std::get<oncall::Person>(r);
  EXPECT_EQ(p.id, "zoe");
  EXPECT_EQ(p.name, "Zoé Petit");
  EXPECT_EQ(p.time_zone, "America/New_York");
  ASSERT_EQ(p.contacts.size(), 2u);
  EXPECT_EQ(p.contacts[0].channel, "sms");
  EXPECT_EQ(p.contacts[0].address, "+1 212 555 0100");
  EXPECT_EQ(p.contacts[1].channel, "email");
  auto bare = std::get<oncall::Person>(parse_person(R"({"id":"x"})", std::nullopt, PeopleLimits{}));
  EXPECT_EQ(bare.name, "x") << "the name defaults to the id, like the configuration";
}

TEST(PeopleBody, EachMistakeNamesItsFieldAndReason) {
  auto r = person_refusal(R"({"id":"zoe","phone":"+33612345678"})");
  EXPECT_EQ(r.reason, "unknown_field");
  EXPECT_EQ(r.error.field, "phone");
  r = person_refusal(R"({"id":"zoe","contacts":[{"sms":"06 12 34 56 78"}]})");
  EXPECT_EQ(r.reason, "invalid_value");
  EXPECT_EQ(r.error.field, "contacts[0].sms");
  EXPECT_THAT(r.error.message, HasSubstr("international"));
  r = person_refusal(R"({"id":"zoe","contacts":[{"email":"zoe@example.net"},{"email":"zoe.example.net"}]})");
  EXPECT_EQ(r.error.field, "contacts[1].email");
  r = person_refusal(R"({"id":"zoe","contacts":[{"pager":"1"}]})");
  EXPECT_EQ(r.reason, "unknown_field");
  EXPECT_EQ(r.error.field, "contacts[0].pager");
  r = person_refusal(R"({"id":"zoe","contacts":[{"sms":"+33612345678","email":"z@x"}]})");
  EXPECT_EQ(r.error.field, "contacts[0]");
  r = person_refusal(R"({"id":"zoe","time_zone":"Mars/Olympus"})");
  EXPECT_EQ(r.error.field, "time_zone");
  r = person_refusal(R"({"id":"zoe","name":7})");
  EXPECT_EQ(r.error.field, "name");
  r = person_refusal(R"({"name":"Zoé"})");
  EXPECT_EQ(r.error.field, "id");
  r = person_refusal(R"({"id":"zo/e"})");
  EXPECT_EQ(r.error.field, "id");
  r = person_refusal(R"({"id":"zoe"})", "bob");
  EXPECT_EQ(r.error.field, "id");
  EXPECT_THAT(r.error.message, HasSubstr("differs from the id of the URL"));
  r = person_refusal(R"({"id":"zoe")");
  EXPECT_EQ(r.reason, "invalid_json");
  r = person_refusal(R"(["zoe"])");
  EXPECT_EQ(r.reason, "invalid_json");
  r = person_refusal("{\"id\":\"zoe\",\"name\":\"" + std::string(70'000, 'z') + "\"}");
  EXPECT_EQ(r.reason, "too_large");
}

TEST(PeopleBody, GroupsNeedListsOfIdsWithoutRepeats) {
  auto g = std::get<oncall::Group>(
      parse_group(R"({"id":"dba","members":["alice","bob"],"lead":"bob"})", std::nullopt, PeopleLimits{}));
  EXPECT_EQ(g.members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(g.lead, "bob");
  EXPECT_EQ(g.manager, "");
  EXPECT_EQ(group_refusal(R"({"id":"dba","members":"alice"})").error.field, "members");
  EXPECT_EQ(group_refusal(R"({"id":"dba","members":["alice","alice"]})").error.field, "members");
  EXPECT_EQ(group_refusal(R"({"id":"dba","lead":["bob"]})").error.field, "lead");
  EXPECT_EQ(group_refusal(R"({"id":"dba","owner":"bob"})").error.field, "owner");
}

TEST(PeopleBody, WhatAGetAnswersIsAcceptedBackByPut) {
  oncall::Person p{"alice", "Alice", {{"sms", "+33612345670"}, {"email", "a@example.net"}}, "Europe/Paris"};
  json::object o = to_json(p);
  o["source"] = "config";
  o["updated_at"] = "2026-01-01T00:00:00.000Z";
  o["updated_by"] = "admin";
  auto back = parse_person(json::serialize(o), "alice", PeopleLimits{});
  ASSERT_TRUE(std::holds_alternative<oncall::Person>(back));
  EXPECT_EQ(json::serialize(to_json(std::get<oncall::Person>(back))), json::serialize(to_json(p)));
  oncall::Group g{"noc", "NOC", {"alice"}, "alice", ""};
  json::object go = to_json(g);
  go["source"] = "api";
  auto gback = parse_group(json::serialize(go), "noc", PeopleLimits{});
  ASSERT_TRUE(std::holds_alternative<oncall::Group>(gback));
  EXPECT_EQ(json::serialize(to_json(std::get<oncall::Group>(gback))), json::serialize(to_json(g)));
}

TEST(PeopleOverlay, ReplacesOrHidesTheConfiguredEntriesAndAddsNewOnes) {
  oncall::Overlay overlay;
  overlay.people["bob"] = oncall::Person{"bob", "Robert", {{"sms", "+33612345679"}}, ""};
  overlay.people["zoe"] = oncall::Person{"zoe", "Zoé", {}, ""};
  overlay.groups["noc"] = std::nullopt;
  OncallDirectory d(configured(), {}, overlay);
  auto s = d.current();
  ASSERT_EQ(s->people().size(), 3u);
  EXPECT_EQ(s->people()[1].name, "Robert") << "in the configured one's place";
  EXPECT_EQ(s->people()[2].id, "zoe");
  EXPECT_EQ(s->person_by_address("sms", "+33612345679")->id, "bob");
  EXPECT_EQ(s->group("noc"), nullptr);

  std::string applied;
  d.rebase(configured(), [&](OncallDirectory::Snapshot next) { applied = next->person("bob")->name; });
  EXPECT_EQ(applied, "Robert") << "a reload keeps the overlay on top";
  OncallDirectory none(nullptr, {}, overlay);
  ASSERT_NE(none.current(), nullptr) << "people added through the API make a directory of their own";
  EXPECT_EQ(none.current()->people().size(), 2u);
}

TEST(PeopleOverlay, AChangeMakingTheDirectoryInconsistentIsRefusedAndNothingRuns) {
  OncallDirectory d(configured());
  int published = 0, committed = 0;
  d.on_change([&](OncallDirectory::Snapshot) { ++published; });
  oncall::Overlay next;
  next.people["alice"] = std::nullopt;  // named by noc and its roster
  auto problems = d.change_overlay(next, 0, [&] { ++committed; });
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].kind, "group");
  EXPECT_EQ(problems[0].id, "noc");
  EXPECT_EQ(problems[0].field, "members");
  EXPECT_EQ(committed, 0);
  EXPECT_EQ(published, 0);
  EXPECT_NE(d.current()->person("alice"), nullptr);

  next = {};
  next.groups["dba"] = oncall::Group{"dba", "DBA", {"alice", "zoe"}, "", ""};
  problems = d.change_overlay(next, 0, [&] { ++committed; });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "members");
  EXPECT_THAT(problems[0].message, HasSubstr("unknown person 'zoe'"));

  next.people["zoe"] = oncall::Person{"zoe", "Zoé", {{"email", "zoe@example.net"}}, ""};
  EXPECT_TRUE(d.change_overlay(next, 0, [&] { ++committed; }).empty());
  EXPECT_EQ(committed, 1);
  EXPECT_EQ(published, 1);
  EXPECT_EQ(d.current()->members("dba"), (std::vector<std::string>{"alice", "zoe"}));
}

TEST(PeopleOverlay, APersonNamedByAStoredOverrideStaysUntilItEnds) {
  oncall::Overlay overlay;
  overlay.people["zoe"] = oncall::Person{"zoe", "Zoé", {{"email", "zoe@example.net"}}, ""};
  oncall::StoredOverride o;
  o.id = 7;
  o.group = "noc";
  o.person = "zoe";
  o.from_ms = 1000;
  o.to_ms = 2000;
  OncallDirectory d(configured(), {o}, overlay);
  EXPECT_EQ(d.current()->on_call("noc", oncall::Layer::primary, 1500), (std::vector<std::string>{"zoe"}))
      << "an override may name a person of the API";
  oncall::Overlay gone;
  gone.people["zoe"] = std::nullopt;
  auto problems = d.change_overlay(gone, 1500, [] {});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, "override");
  EXPECT_EQ(problems[0].id, "7");
  EXPECT_EQ(problems[0].field, "person");
  EXPECT_TRUE(d.change_overlay(gone, 2000, [] {}).empty()) << "an ended override names nobody";
  EXPECT_EQ(d.current()->person("zoe"), nullptr);
}

// The routes against a real store, called through the router.
class PeopleRoutesTest : public ::testing::Test {
 protected:
  PeopleRoutesTest() {
    std::string pattern = (fs::temp_directory_path() / "tocsin-people-api-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    start();
  }
  ~PeopleRoutesTest() override {
    routes_.reset();
    fs::remove_all(dir_);
  }
  void start() {
    routes_.reset();
    router_ = std::make_unique<Router>();
    std::string path = (dir_ / "tocsin.db").string();
    SqliteStore store(path);
    directory_ = std::make_unique<OncallDirectory>(configured(), store.overrides(), overlay_of(store.oncall_entries()));
    routes_ = std::make_unique<PeopleRoutes>(*router_, *directory_,
                                             [path] { return std::make_unique<SqliteStore>(path); }, clock_, stats_);
  }
  std::pair<int, json::value> call(http::verb method, const std::string& path, const std::string& body = {}) {
    auto m = router_->match(method, path);
    EXPECT_NE(m.route, nullptr) << path;
    if (!m.route) return {0, nullptr};
    ApiRequest r;
    r.http.method(method);
    r.http.body() = body;
    r.params = m.params;
    r.actor = "admin";
    r.role = Role::admin;
    std::promise<Response> answer;
    m.route->handler(std::move(r), [&](Response res) { answer.set_value(std::move(res)); });
    Response res = answer.get_future().get();
    boost::system::error_code ec;
    json::value v = json::parse(res.body(), ec);
    return {res.result_int(), ec ? json::value(nullptr) : v};
  }
  double rejected(const std::string& reason) {
    return stats_.value("tocsin_oncall_rejected_total", {{"reason", reason}});
  }

  fs::path dir_;
  FakeClock clock_{1'767'225'600'000};
  StatsRegistry stats_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<OncallDirectory> directory_;
  std::unique_ptr<PeopleRoutes> routes_;
};

TEST_F(PeopleRoutesTest, CreateReplaceDeleteWithHistoryAndAfterARestart) {
  auto [status, body] = call(http::verb::post, "/api/v1/people",
                             R"({"id":"zoe","name":"Zoé","contacts":[{"email":"zoe@example.net"}]})");
  ASSERT_EQ(status, 201) << body;
  EXPECT_EQ(body.at("source"), "api");
  EXPECT_EQ(body.at("updated_by"), "admin");
  std::tie(status, body) = call(http::verb::post, "/api/v1/people", R"({"id":"zoe"})");
  EXPECT_EQ(status, 409);
  std::tie(status, body) =
      call(http::verb::post, "/api/v1/groups", R"({"id":"dba","members":["zoe","alice"],"lead":"zoe"})");
  ASSERT_EQ(status, 201) << body;

  std::tie(status, body) = call(http::verb::get, "/api/v1/people/bob");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body.at("source"), "config");
  body.as_object()["name"] = "Robert Durand";
  std::tie(status, body) = call(http::verb::put, "/api/v1/people/bob", json::serialize(body));
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(body.at("source"), "api");
  EXPECT_EQ(directory_->current()->person("bob")->name, "Robert Durand");

  start();  // a restart: the directory is built again from the configuration and the store
  EXPECT_EQ(directory_->current()->person("bob")->name, "Robert Durand");
  EXPECT_EQ(directory_->current()->lead("dba"), "zoe");
  std::tie(status, body) = call(http::verb::get, "/api/v1/people");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body.at("people").as_array().size(), 3u);

  std::tie(status, body) = call(http::verb::delete_, "/api/v1/groups/dba");
  ASSERT_EQ(status, 200) << body;
  std::tie(status, body) = call(http::verb::delete_, "/api/v1/people/zoe");
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(directory_->current()->person("zoe"), nullptr);
  std::tie(status, body) = call(http::verb::get, "/api/v1/people/zoe");
  EXPECT_EQ(status, 404);
  std::tie(status, body) = call(http::verb::get, "/api/v1/people/zoe/history");
  ASSERT_EQ(status, 200);
  auto& history = body.at("history").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at("action"), "deleted");
  EXPECT_EQ(history[0].at("after"), nullptr);
  EXPECT_EQ(history[0].at("before").at("name"), "Zoé");
  EXPECT_EQ(history[1].at("action"), "created");
}

TEST_F(PeopleRoutesTest, AnInconsistentChangeIsRefusedNamingTheFieldCountedAndNotStored) {
  auto [status, body] = call(http::verb::post, "/api/v1/groups", R"({"id":"dba","members":["alice"],"lead":"zoe"})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body.at("field"), "lead");
  EXPECT_EQ(rejected("inconsistent"), 1);
  std::tie(status, body) = call(http::verb::delete_, "/api/v1/people/alice");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body.at("field"), "id");
  EXPECT_THAT(std::string(body.at("error").as_string()), HasSubstr("group noc"));
  std::tie(status, body) = call(http::verb::post, "/api/v1/people", R"({"id":"zoe","pager":"1"})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body.at("field"), "pager");
  EXPECT_EQ(rejected("unknown_field"), 1);
  EXPECT_TRUE(SqliteStore((dir_ / "tocsin.db").string()).oncall_entries().empty());
  EXPECT_NE(directory_->current()->person("alice"), nullptr);
}

}  // namespace
}  // namespace tocsin::api
