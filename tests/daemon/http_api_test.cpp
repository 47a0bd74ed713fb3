// The HTTP API as a client sees it: a real server on a loopback port, a Beast
// client, an in-memory Store for the reads and a backend that answers incident
// actions from another thread, as the correlator does after its commit.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "daemon/http_server.hpp"

namespace tocsin::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using asio::ip::tcp;
using testing::HasSubstr;
using testing::StartsWith;

constexpr std::string_view viewer_token = "viewer-secret";
constexpr std::string_view operator_token = "operator-secret";
constexpr std::string_view admin_token = "local-admin-token";

// The records the test store serves; shared by every Store the server opens.
struct StoreData {
  std::mutex mutex;
  std::vector<Incident> incidents;
  std::vector<Alert> alerts;
  std::vector<TimelineEntry> timeline;
  bool failing = false;
};

// Only the API reads are implemented; the pipeline's calls are not used here.
class MemoryStore final : public Store {
 public:
  explicit MemoryStore(std::shared_ptr<StoreData> data) : data_(std::move(data)) {}

  std::vector<Incident> incidents(const IncidentFilter& f) override {
    std::lock_guard lock(guard());
    std::vector<Incident> out;
    auto sorted = data_->incidents;
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.id > b.id; });
    for (const auto& i : sorted) {
      if (f.state && i.state != *f.state) continue;
      if (!f.priority.empty() && i.priority != f.priority) continue;
      if (!f.group.empty() && i.group != f.group) continue;
      if (!f.ci.empty() && i.ci != f.ci) continue;
      if (f.before_id && i.id >= f.before_id) continue;
      if (static_cast<std::int64_t>(out.size()) == f.limit) break;
      out.push_back(i);
    }
    return out;
  }
  std::optional<IncidentDetail> incident(std::int64_t id) override {
    std::lock_guard lock(guard());
    for (const auto& i : data_->incidents) {
      if (i.id != id) continue;
      IncidentDetail d{i, {}, {}};
      std::copy_if(data_->alerts.begin(), data_->alerts.end(), std::back_inserter(d.alerts),
                   [id](auto& a) { return a.incident_id == id; });
      std::copy_if(data_->timeline.begin(), data_->timeline.end(), std::back_inserter(d.timeline),
                   [id](auto& e) { return e.incident_id == id; });
      return d;
    }
    return std::nullopt;
  }
  std::vector<Alert> alerts(const AlertFilter& f) override {
    std::lock_guard lock(guard());
    std::vector<Alert> out;
    for (const auto& a : data_->alerts)
      if ((!f.state || a.state == *f.state) && (f.resource.empty() || a.resource == f.resource) &&
          (!f.incident_id || a.incident_id == f.incident_id))
        out.push_back(a);
    return out;
  }

  void commit(const ChangeSet&) override {}
  IdState max_ids() override { return {}; }
  std::vector<Alert> firing_alerts() override { return {}; }
  std::vector<Incident> unresolved_incidents() override { return {}; }
  std::vector<EventRecord> events_of_alert(std::int64_t, std::int64_t) override { return {}; }
  std::vector<std::string> recent_attribute_values(const std::string&, const std::string&, std::int64_t) override {
    return {};
  }
  std::vector<Notification> claim_due(std::int64_t, int) override { return {}; }
  void mark_sent(std::int64_t, std::int64_t) override {}
  void mark_retry(std::int64_t, std::int64_t, const std::string&) override {}
  void mark_failed(std::int64_t, const std::string&) override {}
  int recover_in_flight() override { return 0; }
  std::vector<Notification> notifications(std::int64_t) override { return {}; }
  std::int64_t pending_notifications() override { return 0; }

 private:
  std::mutex& guard() {
    if (data_->failing) throw std::runtime_error("database is locked");
    return data_->mutex;
  }
  std::shared_ptr<StoreData> data_;
};

// Records every action and answers it from its own thread with `answer`.
class RecordingBackend final : public ApiBackend {
 public:
  ~RecordingBackend() override {
    for (auto& t : threads_) t.join();
  }
  void act(IncidentAction action, ActionDone done) override {
    std::lock_guard lock(mutex_);
    actions_.push_back(action);
    threads_.emplace_back([done = std::move(done), result = answer] { done(result); });
  }
  bool ready() const override { return ready_; }

  std::vector<IncidentAction> actions() {
    std::lock_guard lock(mutex_);
    return actions_;
  }
  ActionResult answer;
  std::atomic<bool> ready_{false};

 private:
  std::mutex mutex_;
  std::vector<IncidentAction> actions_;
  std::vector<std::thread> threads_;
};

Incident incident(std::int64_t id, IncidentState state, std::string priority, std::string group) {
  Incident i;
  i.id = id;
  i.title = "incident " + std::to_string(id);
  i.state = state;
  i.priority = std::move(priority);
  i.group = std::move(group);
  i.ci = "core-sw" + std::to_string(id);
  i.opened_at_ms = 1'795'446'245'123;
  return i;
}

struct Reply {
  int status = 0;
  std::string body;
  http::fields headers;
  json::value json() const { return json::parse(body); }
};

Reply to_reply(http::response<http::string_body>& r) {
  return {static_cast<int>(r.result_int()), r.body(), static_cast<http::fields&>(r.base())};
}

// A blocking Beast client on its own connection.
class Client {
 public:
  explicit Client(tcp::endpoint server) : socket_(io_) { socket_.connect(server); }

  Reply send(http::verb method, std::string target, std::string_view token = {}, std::string body = {},
             bool keep_alive = true) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    http::write(socket_, req);
    return receive();
  }
  void send_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  Reply receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(socket_, buffer_, parser);
    auto r = parser.release();
    return to_reply(r);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

HttpServerConfig test_config() {
  HttpServerConfig c;
  c.port = 0;
  c.max_body = 1024;
  c.read_timeout = std::chrono::seconds(10);
  c.tokens = {{"noc-viewer", std::string(viewer_token), Role::viewer},
              {"noc-operator", std::string(operator_token), Role::operator_},
              {"noc-admin", std::string(admin_token), Role::admin}};
  return c;
}

class HttpApi : public testing::Test {
 protected:
  HttpApi()
      : data_(std::make_shared<StoreData>()),
        server_(io_, test_config(), backend_, [data = data_] { return std::make_unique<MemoryStore>(data); },
                stats_) {}

  void start() {
    server_.start();
    runner_ = std::thread([this] { io_.run(); });
  }
  void SetUp() override {
    data_->incidents = {incident(1, IncidentState::open, "P1", "network"),
                        incident(2, IncidentState::acknowledged, "P3", "network"),
                        incident(3, IncidentState::open, "P2", "servers"),
                        incident(4, IncidentState::open, "P1", "network")};
    Alert a;
    a.id = 11;
    a.name = "linkDown";
    a.resource = "core-sw1";
    a.incident_id = 1;
    a.attributes = {{"ifIndex", "3"}};
    data_->alerts = {a};
    a.id = 12;
    a.resource = "core-sw3";
    a.state = AlertState::resolved;
    a.incident_id = 3;
    data_->alerts.push_back(a);
    data_->timeline = {{1, 1, 1'795'446'245'123, "tocsin", "opened", "linkDown on core-sw1"}};
  }
  void TearDown() override {
    server_.stop();
    if (runner_.joinable()) runner_.join();
  }

  Reply get(std::string target, std::string_view token = viewer_token) {
    return client().send(http::verb::get, std::move(target), token);
  }
  Reply post(std::string target, std::string_view token, std::string body = {}) {
    return client().send(http::verb::post, std::move(target), token, std::move(body));
  }
  Client client() {
    if (!runner_.joinable()) start();
    return Client(server_.local_endpoint());
  }
  std::vector<std::int64_t> ids(const Reply& r) {
    std::vector<std::int64_t> out;
    json::value v = r.json();
    for (const auto& i : v.at("incidents").as_array()) out.push_back(i.at("id").as_int64());
    return out;
  }
  double rejected(std::string reason) {
    return stats_.value("tocsin_http_rejected_total", {{"reason", std::move(reason)}});
  }

  asio::io_context io_;
  StatsRegistry stats_;
  RecordingBackend backend_;
  std::shared_ptr<StoreData> data_;
  HttpServer server_;
  std::thread runner_;
};

TEST_F(HttpApi, MissingTokenIsUnauthorizedWithABearerChallenge) {
  Reply r = get("/api/v1/incidents", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(std::string(r.headers[http::field::www_authenticate]), StartsWith("Bearer"));
  EXPECT_EQ(rejected("unauthorized"), 1);
}

TEST_F(HttpApi, UnknownTokenIsUnauthorized) {
  Reply r = get("/api/v1/incidents", "guess");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(std::string(r.headers[http::field::www_authenticate]), HasSubstr("invalid_token"));
}

TEST_F(HttpApi, UnknownPathUnderTheApiNeedsATokenToo) {
  EXPECT_EQ(get("/api/v1/nothing-here", "").status, 401);
  Reply r = get("/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.json().at("error").as_string().c_str(), HasSubstr("/api/v1/nothing-here"));
}

TEST_F(HttpApi, ViewerMayReadButNotActOnIncidents) {
  EXPECT_EQ(get("/api/v1/incidents").status, 200);
  Reply r = post("/api/v1/incidents/1/acknowledge", viewer_token);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.json().at("error").as_string().c_str(), HasSubstr("needs operator"));
  EXPECT_TRUE(backend_.actions().empty());
  EXPECT_EQ(rejected("forbidden"), 1);
}

TEST_F(HttpApi, AcknowledgeWaitsForTheBackendAndReturnsItsIncident) {
  Incident acked = incident(1, IncidentState::acknowledged, "P1", "network");
  acked.acknowledged_at_ms = 1'795'446'305'123;
  backend_.answer = {200, "", acked};
  Reply r = post("/api/v1/incidents/1/acknowledge", operator_token, R"({"comment":"on it"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("state").as_string(), "acknowledged");
  EXPECT_EQ(r.json().at("acknowledged_at").as_string(), "2026-11-23T15:05:05.123Z");
  ASSERT_EQ(backend_.actions().size(), 1u);
  IncidentAction a = backend_.actions()[0];
  EXPECT_EQ(a.incident_id, 1);
  EXPECT_EQ(a.kind, ActionKind::acknowledge);
  EXPECT_EQ(a.actor, "noc-operator");
  EXPECT_EQ(a.comment, "on it");
}

TEST_F(HttpApi, AdminMayResolveWithAnEmptyBody) {
  backend_.answer = {200, "", incident(3, IncidentState::resolved, "P2", "servers")};
  Reply r = post("/api/v1/incidents/3/resolve", admin_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("state").as_string(), "resolved");
  ASSERT_EQ(backend_.actions().size(), 1u);
  EXPECT_EQ(backend_.actions()[0].kind, ActionKind::resolve);
  EXPECT_EQ(backend_.actions()[0].actor, "noc-admin");
  EXPECT_EQ(backend_.actions()[0].comment, "");
}

TEST_F(HttpApi, ConflictFromTheBackendIsPassedThrough) {
  backend_.answer = {409, "incident 7 is resolved", std::nullopt};
  Reply r = post("/api/v1/incidents/7/acknowledge", operator_token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.json().at("error").as_string(), "incident 7 is resolved");
}

TEST_F(HttpApi, ActionOnAnAbsentIncidentIsNotFound) {
  backend_.answer = {404, "incident 99 does not exist", std::nullopt};
  EXPECT_EQ(post("/api/v1/incidents/99/resolve", operator_token).status, 404);
}

TEST_F(HttpApi, InvalidJsonBodyIsRejectedNamingTheProblem) {
  Reply r = post("/api/v1/incidents/1/acknowledge", operator_token, R"({"comment": )");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.json().at("error").as_string().c_str(), HasSubstr("invalid JSON body"));
  Reply wrong_type = post("/api/v1/incidents/1/acknowledge", operator_token, R"({"comment": 5})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.json().at("field").as_string(), "comment");
  EXPECT_TRUE(backend_.actions().empty());
}

TEST_F(HttpApi, ForwardCarriesGroupAndReasonToTheBackend) {
  backend_.answer = {200, "", incident(1, IncidentState::open, "P2", "storage")};
  Reply r = post("/api/v1/incidents/1/forward", operator_token, R"({"group":"storage","reason":"array fault"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("group").as_string(), "storage");
  ASSERT_EQ(backend_.actions().size(), 1u);
  EXPECT_EQ(backend_.actions()[0].kind, ActionKind::forward);
  EXPECT_EQ(backend_.actions()[0].group, "storage");
  EXPECT_EQ(backend_.actions()[0].comment, "array fault");
}

TEST_F(HttpApi, LifecycleBodiesNameTheMissingOrBadField) {
  Reply no_reason = post("/api/v1/incidents/1/return", operator_token, "{}");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(no_reason.json().at("field").as_string(), "reason");
  Reply bad_priority = post("/api/v1/incidents/1/priority", operator_token, R"({"priority":"P9","reason":"x"})");
  EXPECT_EQ(bad_priority.status, 400);
  EXPECT_EQ(bad_priority.json().at("field").as_string(), "priority");
  Reply no_group = post("/api/v1/incidents/1/forward", operator_token, R"({"reason":"x"})");
  EXPECT_EQ(no_group.json().at("field").as_string(), "group");
  Reply unknown = post("/api/v1/incidents/1/comment", operator_token, R"({"comment":"x","group":"y"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json().at("field").as_string(), "group");
  EXPECT_EQ(post("/api/v1/incidents/1/comment", operator_token, "{}").json().at("field").as_string(), "comment");
  EXPECT_TRUE(backend_.actions().empty());
}

TEST_F(HttpApi, PriorityAndResolutionCodeReachTheBackend) {
  backend_.answer = {200, "", incident(1, IncidentState::open, "P1", "network")};
  ASSERT_EQ(post("/api/v1/incidents/1/priority", operator_token, R"({"priority":"P1","reason":"vip"})").status, 200);
  ASSERT_EQ(post("/api/v1/incidents/1/resolve", operator_token, R"({"resolution_code":"fixed"})").status, 200);
  ASSERT_EQ(backend_.actions().size(), 2u);
  EXPECT_EQ(backend_.actions()[0].kind, ActionKind::set_priority);
  EXPECT_EQ(backend_.actions()[0].priority, "P1");
  EXPECT_EQ(backend_.actions()[1].resolution_code, "fixed");
}

TEST_F(HttpApi, ViewerMayNotCloseOrReopen) {
  EXPECT_EQ(post("/api/v1/incidents/1/close", viewer_token).status, 403);
  EXPECT_EQ(post("/api/v1/incidents/1/reopen", viewer_token).status, 403);
  EXPECT_TRUE(backend_.actions().empty());
}

TEST_F(HttpApi, SearchTimesMustBeRfc3339NamingTheParameter) {
  Reply r = get("/api/v1/incidents?since=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json().at("field").as_string(), "since");
  EXPECT_EQ(get("/api/v1/incidents?until=2026-11-23T15:04:05Z&q=disk&assignee=bob&service=shop").status, 200);
}

TEST_F(HttpApi, IncidentListIsNewestFirstAndFiltered) {
  EXPECT_EQ(ids(get("/api/v1/incidents")), (std::vector<std::int64_t>{4, 3, 2, 1}));
  EXPECT_EQ(ids(get("/api/v1/incidents?state=open&group=network")), (std::vector<std::int64_t>{4, 1}));
  EXPECT_EQ(ids(get("/api/v1/incidents?priority=P1&ci=core-sw1")), (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(get("/api/v1/incidents").json().at("next_before").is_null());
}

TEST_F(HttpApi, IncidentListPagesWithNextBefore) {
  Reply first = get("/api/v1/incidents?limit=2");
  EXPECT_EQ(ids(first), (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(first.json().at("next_before").as_int64(), 3);
  EXPECT_EQ(ids(get("/api/v1/incidents?limit=2&before=3")), (std::vector<std::int64_t>{2, 1}));
}

TEST_F(HttpApi, BadFilterValueIsRejectedNamingTheField) {
  for (auto [query, field] : {std::pair{"state=sleeping", "state"}, {"priority=P9", "priority"},
                              {"limit=0", "limit"}, {"limit=ten", "limit"}, {"before=-1", "before"},
                              {"stat=open", "stat"}}) {
    Reply r = get(std::string("/api/v1/incidents?") + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.json().at("field").as_string(), field) << query;
  }
  EXPECT_EQ(rejected("bad_request"), 6);
}

TEST_F(HttpApi, IncidentDetailCarriesAlertsAndTimeline) {
  Reply r = get("/api/v1/incidents/1");
  ASSERT_EQ(r.status, 200);
  json::value v = r.json();
  EXPECT_EQ(v.at("title").as_string(), "incident 1");
  ASSERT_EQ(v.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(v.at("alerts").at(0).at("attributes").at("ifIndex").as_string(), "3");
  ASSERT_EQ(v.at("timeline").as_array().size(), 1u);
  EXPECT_EQ(v.at("timeline").at(0).at("action").as_string(), "opened");
}

TEST_F(HttpApi, AbsentIncidentIsNotFoundAndANonNumericIdIsABadRequest) {
  Reply absent = get("/api/v1/incidents/99");
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(absent.json().at("error").as_string(), "incident 99 does not exist");
  Reply bad = get("/api/v1/incidents/abc");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("field").as_string(), "id");
}

TEST_F(HttpApi, AlertListIsFiltered) {
  Reply r = get("/api/v1/alerts?state=resolved");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json().at("alerts").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("alerts").at(0).at("id").as_int64(), 12);
  EXPECT_EQ(get("/api/v1/alerts?incident=1").json().at("alerts").at(0).at("id").as_int64(), 11);
  EXPECT_EQ(get("/api/v1/alerts?state=burning").json().at("field").as_string(), "state");
}

TEST_F(HttpApi, WrongMethodIsNotAllowedAndNamesTheAllowedOnes) {
  Reply r = client().send(http::verb::delete_, "/api/v1/incidents", admin_token);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers[http::field::allow], "GET");
  EXPECT_EQ(stats_.value("tocsin_http_requests_total", {{"route", "/api/v1/incidents"}, {"code", "405"}}), 1);
  EXPECT_EQ(get("/api/v1/incidents/1/acknowledge", admin_token).headers[http::field::allow], "POST");
}

TEST_F(HttpApi, UnknownPathOutsideTheApiIsNotFoundJson) {
  Reply r = get("/favicon.ico", "");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers[http::field::content_type], "application/json");
}

TEST_F(HttpApi, OversizedBodyIsRefusedWith413AndCounted) {
  Reply r = post("/api/v1/incidents/1/acknowledge", operator_token,
                 R"({"comment":")" + std::string(4000, 'x') + R"("})");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(rejected("body_too_large"), 1);
  EXPECT_EQ(stats_.value("tocsin_http_requests_total",
                         {{"route", "/api/v1/incidents/{id}/acknowledge"}, {"code", "413"}}),
            1);
  EXPECT_TRUE(backend_.actions().empty());
}

TEST_F(HttpApi, MalformedRequestIsABadRequest) {
  Client c = client();
  c.send_raw("GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n");
  EXPECT_EQ(c.receive().status, 400);
  EXPECT_EQ(rejected("bad_request"), 1);
}

TEST_F(HttpApi, ConnectionServesSeveralRequestsWhenKeptAlive) {
  Client c = client();
  EXPECT_EQ(c.send(http::verb::get, "/healthz").status, 200);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/incidents/1", viewer_token).status, 200);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/alerts", viewer_token).status, 200);
}

TEST_F(HttpApi, MetricsNeedNoTokenAndCountRequestsByRoutePattern) {
  get("/api/v1/incidents/1");
  get("/api/v1/incidents/2");
  get("/api/v1/incidents", "");
  Reply r = get("/metrics", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(std::string(r.headers[http::field::content_type]), StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(r.body, HasSubstr(R"(tocsin_http_requests_total{route="/api/v1/incidents/{id}",code="200"} 2)"));
  EXPECT_THAT(r.body, HasSubstr(R"(tocsin_http_requests_total{route="/api/v1/incidents",code="401"} 1)"));
  EXPECT_THAT(r.body, HasSubstr(R"(tocsin_http_rejected_total{reason="unauthorized"} 1)"));
  EXPECT_THAT(r.body, HasSubstr(R"(tocsin_http_rejected_total{reason="timeout"} 0)"));
}

TEST_F(HttpApi, HealthzAnswersWhileServingAndReadyzFollowsTheBackend) {
  Reply health = get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(get("/readyz", "").status, 503);
  backend_.ready_ = true;
  Reply ready = get("/readyz", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
}

TEST_F(HttpApi, StoreFailureIsServiceUnavailable) {
  data_->failing = true;
  Reply r = get("/api/v1/incidents");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.json().at("error").as_string(), "store unavailable");
  data_->failing = false;
  EXPECT_EQ(get("/api/v1/incidents").status, 200);
}

TEST_F(HttpApi, ReloadedTokensReplaceTheOldOnes) {
  EXPECT_EQ(get("/api/v1/incidents").status, 200);
  server_.set_tokens({{"night-shift", "fresh-token", Role::viewer}});
  EXPECT_EQ(get("/api/v1/incidents").status, 401);
  EXPECT_EQ(get("/api/v1/incidents", "fresh-token").status, 200);
}

TEST_F(HttpApi, RegisteredRoutesGetPathParametersAndMayAnswerLater) {
  std::thread answerer;
  server_.router().add(http::verb::post, "/api/v1/integrations/{name}", Role::admin,
                       [&answerer](ApiRequest request, Respond respond) {
                         std::string name(request.param("name"));
                         answerer = std::thread([name, body = request.http.body(), respond = std::move(respond)] {
                           respond(json_response(http::status::accepted, json::serialize(json::object{
                                                                             {"name", name}, {"body", body}})));
                         });
                       });
  Reply r = post("/api/v1/integrations/alertmanager", admin_token, "[1]");
  answerer.join();
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.json().at("name").as_string(), "alertmanager");
  EXPECT_EQ(r.json().at("body").as_string(), "[1]");
  EXPECT_EQ(post("/api/v1/integrations/alertmanager", operator_token, "[1]").status, 403);
}

TEST_F(HttpApi, StartFailsNamingTheAddressWhenThePortIsTaken) {
  start();
  HttpServerConfig taken = test_config();
  taken.port = server_.local_endpoint().port();
  RecordingBackend other_backend;
  StatsRegistry other_stats;
  HttpServer second(io_, taken, other_backend, [] { return nullptr; }, other_stats);
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:" + std::to_string(taken.port)));
  }
}

}  // namespace
}  // namespace tocsin::api
