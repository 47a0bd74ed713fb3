// tocsinctl: the command-line client of the tocsind HTTP API, for people on
// shift: list and inspect incidents and alerts, acknowledge and resolve, check
// health and read metrics. Exit status: 0 done, 1 the server or the network
// refused, 2 the command line is wrong.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/json.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using namespace tocsin;

constexpr std::string_view usage_text = R"(usage: tocsinctl [--url URL] [--token TOKEN] COMMAND [OPTIONS]

Talks to the tocsind HTTP API (default URL http://127.0.0.1:8080). The token
may also come from the environment variable TOCSIN_TOKEN.

commands:
  incidents [--state S] [--priority P] [--group G] [--ci CI] [--assignee A] [--service S]
            [--since T] [--until T] [--q TEXT] [--limit N] [--before ID] [--json]
                                  list incidents, newest first
  incident ID [--json]            one incident with its alerts and timeline
  ack ID [--comment TEXT]         acknowledge an incident (operator role)
  resolve ID [--code CODE] [--comment TEXT]
                                  resolve an incident, optionally with a resolution code
  close ID [--comment TEXT]       close a resolved incident
  reopen ID [--comment TEXT]      reopen a resolved or closed incident
  assign ID [--group G] [--assignee PERSON] [--comment TEXT]
                                  new owner group and/or person
  forward ID --group G [--reason TEXT]
                                  forward to another group
  return ID --reason TEXT         return to the group it was forwarded from
  comment ID --comment TEXT       add a comment to the timeline
  priority ID --priority P --reason TEXT
                                  set the priority (P1..P5) by hand
  alerts [--state S] [--resource R] [--incident ID] [--limit N] [--json]
                                  list alerts
  problems [--window W] [--min N] [--limit N] [--json]
                                  CIs with recurring incidents (default: 30d, at least 3)
  ci list [--q TEXT] [--type T] [--limit N] [--json]
                                  CIs of the CMDB
  ci get ID                       one CI as JSON (where it comes from, when it last changed)
  ci put FILE                     create or replace the CI in FILE (JSON; - for standard
                                  input) through the API (admin role)
  ci rm ID                        remove a CI (admin role)
  ci history ID [--limit N] [--json]
                                  who changed the CI, when, and what
  silence add --match M [--match M ...] (--duration D | --end T) [--start T] --comment TEXT
                                  silence alerts that start firing (operator role);
                                  M is FIELD=VALUE, FIELD!=VALUE, FIELD=~REGEX or FIELD!~REGEX
                                  with FIELD resource, ci, name, source, severity or attr.NAME
  silence list [--state pending|active|expired] [--json]
                                  silences, newest first
  silence expire ID               end a silence now: what it suppressed opens its incidents
  maintenance add --cis CI[,CI...] [--dependents] [--comment TEXT]
                  (--start T --end T | --schedule daily|weekly --at HH:MM --duration D
                   [--days sat,sun] [--time-zone ZONE])
                                  add a maintenance window (operator role)
  maintenance list [--json]       maintenance windows, configured and added
  maintenance rm ID               remove a window added through the API
  oncall [--group G] [--at T] [--json]
                                  who is on duty now (or at T) per layer, with contacts
  oncall calendar [--group G] [--days N] [--from T] [--json]
                                  shifts per layer for N days (default 14)
  oncall override add --group G --person P --start T --end T --reason TEXT [--layer L]
                                  replace a layer (default primary) for a time (operator role)
  oncall override list [--group G] [--past] [--json]
                                  current and future overrides (--past: also ended ones)
  oncall override rm ID           remove an override added through the API
  oncall log add --group G --text TEXT
                                  write a hand-over note in the duty log (operator role)
  oncall log list [--group G] [--since T] [--limit N] [--json]
                                  duty log notes, newest first
  people list [--json]            the on-call users, configured and added through the API
  people show ID                  one user as JSON (where it comes from, when it last changed)
  people add --id ID [--name N] [--time-zone Z] [--sms NUMBER] [--email ADDRESS] ...
  people add FILE                 add a user (admin role); --sms and --email may repeat, in the
                                  user's order; FILE is JSON (- for standard input)
  people put FILE                 create or replace the user in FILE through the API (admin role)
  people remove ID                delete a user (admin role); refused while a group or a
                                  roster names them
  people history ID [--limit N] [--json]
                                  who changed the user, when, and what
  groups list [--json]            the on-call groups, configured and added through the API
  groups show ID                  one group as JSON
  groups add --id ID [--name N] [--members A,B,...] [--lead L] [--manager M]
  groups add FILE                 add a group (admin role)
  groups put FILE                 create or replace the group in FILE (admin role)
  groups remove ID                delete a group (admin role)
  groups history ID [--limit N] [--json]
                                  who changed the group, when, and what
  health                          liveness and readiness of the daemon
  metrics                         the Prometheus metrics text

exit status: 0 success, 1 the server answered with an error or could not be
reached, 2 wrong usage.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RequestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--state" → "open"; flags map to ""
  std::vector<std::string> matches;  // silence add: every --match, in order
  std::vector<std::pair<std::string, std::string>> contacts;  // people add: every --sms and --email, in order
  bool json = false;
  bool help = false;
};

// Options of each command; `true` when the option takes a value.
const std::map<std::string, std::map<std::string, bool>> command_options = {
    {"incidents",
     {{"--state", true}, {"--priority", true}, {"--group", true}, {"--ci", true}, {"--assignee", true},
      {"--service", true}, {"--since", true}, {"--until", true}, {"--q", true}, {"--limit", true},
      {"--before", true}, {"--json", false}}},
    {"incident", {{"--json", false}}},
    {"ack", {{"--comment", true}}},
    {"resolve", {{"--comment", true}, {"--code", true}}},
    {"close", {{"--comment", true}}},
    {"reopen", {{"--comment", true}}},
    {"assign", {{"--group", true}, {"--assignee", true}, {"--comment", true}}},
    {"forward", {{"--group", true}, {"--reason", true}}},
    {"return", {{"--reason", true}}},
    {"comment", {{"--comment", true}}},
    {"priority", {{"--priority", true}, {"--reason", true}}},
    {"alerts", {{"--state", true}, {"--resource", true}, {"--incident", true}, {"--limit", true}, {"--json", false}}},
    {"problems", {{"--window", true}, {"--min", true}, {"--limit", true}, {"--json", false}}},
    {"ci", {{"--q", true}, {"--type", true}, {"--limit", true}, {"--json", false}}},
    {"silence",
     {{"--match", true}, {"--duration", true}, {"--start", true}, {"--end", true}, {"--comment", true},
      {"--state", true}, {"--json", false}}},
    {"maintenance",
     {{"--cis", true}, {"--dependents", false}, {"--comment", true}, {"--start", true}, {"--end", true},
      {"--schedule", true}, {"--at", true}, {"--duration", true}, {"--days", true}, {"--time-zone", true},
      {"--json", false}}},
    {"oncall",
     {{"--group", true}, {"--at", true}, {"--days", true}, {"--from", true}, {"--layer", true}, {"--person", true},
      {"--start", true}, {"--end", true}, {"--reason", true}, {"--text", true}, {"--since", true},
      {"--limit", true}, {"--past", false}, {"--json", false}}},
    {"people",
     {{"--id", true}, {"--name", true}, {"--time-zone", true}, {"--sms", true}, {"--email", true},
      {"--limit", true}, {"--json", false}}},
    {"groups",
     {{"--id", true}, {"--name", true}, {"--members", true}, {"--lead", true}, {"--manager", true},
      {"--limit", true}, {"--json", false}}},
    {"health", {}},
    {"metrics", {}},
};

// The options of each `oncall` subcommand (the table above holds their union).
const std::map<std::string, std::set<std::string>> oncall_options = {
    {"", {"--group", "--at", "--json"}},
    {"calendar", {"--group", "--days", "--from", "--json"}},
    {"override add", {"--group", "--layer", "--person", "--start", "--end", "--reason", "--json"}},
    {"override list", {"--group", "--past", "--json"}},
    {"override rm", {}},
    {"log add", {"--group", "--text", "--json"}},
    {"log list", {"--group", "--since", "--limit", "--json"}},
};

std::string take_value(int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw UsageError(std::string(argv[i]) + " needs a value");
  return argv[++i];
}

void take_option(CommandLine& cl, int argc, char** argv, int& i) {
  std::string arg = argv[i];
  if (arg == "--url") return void(cl.url = take_value(argc, argv, i));
  if (arg == "--token") return void(cl.token = take_value(argc, argv, i));
  if (cl.command.empty()) throw UsageError("unknown option " + arg);
  const auto& allowed = command_options.at(cl.command);
  auto it = allowed.find(arg);
  if (it == allowed.end()) throw UsageError("'" + cl.command + "' has no option " + arg);
  cl.options[arg] = it->second ? take_value(argc, argv, i) : "";
  if (arg == "--match") cl.matches.push_back(cl.options[arg]);
  if (arg == "--sms" || arg == "--email") cl.contacts.emplace_back(arg.substr(2), cl.options[arg]);
  if (arg == "--json") cl.json = true;
}

CommandLine parse_command_line(int argc, char** argv) {
  CommandLine cl;
  if (const char* t = std::getenv("TOCSIN_TOKEN")) cl.token = t;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      cl.help = true;
    } else if (arg.starts_with("--")) {
      take_option(cl, argc, argv, i);
    } else if (cl.command.empty()) {
      if (!command_options.contains(arg)) throw UsageError("unknown command '" + arg + "'");
      cl.command = arg;
    } else {
      cl.positional.push_back(arg);
    }
  }
  if (!cl.help && cl.command.empty()) throw UsageError("no command given");
  return cl;
}

std::string incident_id_argument(const CommandLine& cl) {
  if (cl.positional.size() != 1) throw UsageError("'" + cl.command + "' needs exactly one incident ID");
  const std::string& id = cl.positional[0];
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("incident ID must be a number, not '" + id + "'");
  return id;
}

// --- HTTP -------------------------------------------------------------------

struct Server {
  std::string host;
  std::string port;
  std::string base_path;  // a reverse proxy may mount the API under a prefix
};

Server parse_url(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty())
    throw UsageError("--url must look like http://HOST[:PORT], not '" + url + "'");
  std::string path = parsed->path();
  while (!path.empty() && path.back() == '/') path.pop_back();
  return {parsed->host(), parsed->has_port() ? std::string(parsed->port()) : "80", path};
}

struct Reply {
  unsigned status = 0;
  std::string body;
};

Reply exchange(const CommandLine& cl, http::verb method, const std::string& target, std::string body = {}) {
  Server server = parse_url(cl.url);
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  auto endpoints = asio::ip::tcp::resolver(io).resolve(server.host, server.port, ec);
  if (!ec) asio::connect(socket, endpoints, ec);
  if (ec) throw RequestError("cannot reach " + cl.url + ": " + ec.message());
  http::request<http::string_body> req{method, server.base_path + target, 11};
  req.set(http::field::host, server.host);
  req.set(http::field::user_agent, "tocsinctl");
  if (!cl.token.empty()) req.set(http::field::authorization, "Bearer " + cl.token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.keep_alive(false);
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  boost::beast::flat_buffer buffer;
  http::write(socket, req, ec);
  if (!ec) http::read(socket, buffer, parser, ec);
  if (ec) throw RequestError("request to " + cl.url + " failed: " + ec.message());
  return {parser.get().result_int(), parser.get().body()};
}

// The server's {"error": ...} when it sent one, else the raw body.
std::string error_text(const Reply& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object() && v.as_object().contains("error") && v.at("error").is_string()) {
    std::string text(v.at("error").as_string());
    if (v.as_object().contains("field") && v.at("field").is_string())
      text += " (field " + std::string(v.at("field").as_string()) + ")";
    return text;
  }
  return r.body.empty() ? "no details" : r.body;
}

Reply checked(Reply r) {
  if (r.status >= 200 && r.status < 300) return r;
  std::string hint = r.status == 401 ? " (give a token with --token or TOCSIN_TOKEN)" : "";
  throw RequestError("HTTP " + std::to_string(r.status) + ": " + error_text(r) + hint);
}

json::value get_json(const CommandLine& cl, const std::string& target) {
  Reply r = checked(exchange(cl, http::verb::get, target));
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) throw RequestError("the server sent invalid JSON: " + ec.message());
  return v;
}

// Query string from the options the user gave, percent-encoded.
std::string with_query(std::string path, const CommandLine& cl, const std::map<std::string, std::string>& names) {
  boost::urls::url u;
  u.set_path(path);
  for (const auto& [option, parameter] : names)
    if (auto it = cl.options.find(option); it != cl.options.end()) u.params().append({parameter, it->second});
  return std::string(u.buffer());
}

// --- output -----------------------------------------------------------------

std::string time_text(std::int64_t ms) { return ms ? api::format_time(ms).substr(0, 19) + "Z" : "-"; }

std::string cell(std::string_view text, std::size_t width) {
  std::string s(text.empty() ? "-" : text);
  if (s.size() > width) return s.substr(0, width - 1) + "~";
  return s + std::string(width - s.size(), ' ');
}

void print_incident_row(const Incident& i) {
  std::cout << cell(std::to_string(i.id), 7) << ' ' << cell(i.priority, 3) << ' '
            << cell(std::string(to_string(i.state)), 12) << ' ' << cell(std::string(to_string(i.severity)), 8) << ' '
            << cell(i.group, 12) << ' ' << cell(i.assignee, 12) << ' ' << cell(time_text(i.opened_at_ms), 20) << ' '
            << i.title << '\n';
}

void print_alert_row(const Alert& a) {
  std::cout << cell(std::to_string(a.id), 7) << ' ' << cell(std::string(to_string(a.state)), 10) << ' '
            << cell(std::string(to_string(a.severity)), 8) << ' ' << cell(a.resource, 16) << ' ' << cell(a.name, 18)
            << ' ' << cell(std::to_string(a.count), 6) << ' '
            << cell(a.incident_id ? std::to_string(a.incident_id) : a.suppressed_by, 16) << ' ' << cell(time_text(a.last_seen_ms), 20) << ' ' << a.summary << '\n';
}

template <typename Record, typename Read, typename Print>
void print_table(const json::value& items, std::string_view header, Read read, Print print) {
  if (!items.is_array()) throw RequestError("the server sent an unexpected document");
  if (items.as_array().empty()) return void(std::cout << "(none)\n");
  std::cout << header << '\n';
  for (const auto& item : items.as_array()) {
    std::optional<Record> r = read(item);
    if (!r) throw RequestError("the server sent a record this tocsinctl cannot read");
    print(*r);
  }
}

constexpr std::string_view incident_header =
    "ID      PRI STATE        SEVERITY GROUP        ASSIGNEE     OPENED               TITLE";
constexpr std::string_view alert_header =
    "ID      STATE      SEVERITY RESOURCE         NAME               COUNT  INCIDENT         LAST SEEN            SUMMARY";

void print_field(std::string_view label, std::string_view value, bool breached = false) {
  std::cout << "  " << cell(label, 13) << ' ' << (value.empty() ? "-" : value)
            << (breached ? " (breached)" : "") << '\n';
}

void print_incident_detail(const json::value& v) {
  auto i = api::incident_from_json(v);
  if (!i) throw RequestError("the server sent an incident this tocsinctl cannot read");
  std::cout << "Incident " << i->id << ": " << i->title << '\n';
  print_field("state", std::string(to_string(i->state)));
  print_field("priority", i->priority);
  print_field("severity", std::string(to_string(i->severity)));
  print_field("ci", i->ci);
  print_field("service", i->service);
  print_field("group", i->group);
  print_field("assignee", i->assignee);
  print_field("opened", time_text(i->opened_at_ms));
  print_field("acknowledged", time_text(i->acknowledged_at_ms));
  print_field("resolved", time_text(i->resolved_at_ms));
  if (i->reopened_at_ms > 0) print_field("reopened", time_text(i->reopened_at_ms));
  print_field("ack due", time_text(i->sla.ack_due_ms), i->sla.ack_breached);
  print_field("resolve due", time_text(i->sla.resolve_due_ms), i->sla.resolve_breached);
  print_field("escalation", "level " + std::to_string(i->escalation_level));
  if (i->recurrence_count > 0)
    print_field("recurring", std::to_string(i->recurrence_count) + " earlier incident(s) on this CI");
  std::cout << "\nAlerts (" << i->alert_count << "):\n";
  print_table<Alert>(v.at("alerts"), alert_header, api::alert_from_json, print_alert_row);
  std::cout << "\nTimeline:\n";
  for (const auto& item : v.at("timeline").as_array()) {
    auto e = api::timeline_entry_from_json(item);
    if (!e) throw RequestError("the server sent a timeline entry this tocsinctl cannot read");
    std::cout << "  " << time_text(e->at_ms) << "  " << cell(e->actor, 14) << ' ' << cell(e->action, 14) << ' '
              << e->text << '\n';
  }
}

// --- commands ---------------------------------------------------------------

int print_json(const json::value& v) {
  std::cout << json::serialize(v) << '\n';
  return 0;
}

void no_positional(const CommandLine& cl) {
  if (!cl.positional.empty()) throw UsageError("'" + cl.command + "' takes no argument '" + cl.positional[0] + "'");
}

int list_incidents(const CommandLine& cl) {
  no_positional(cl);
  json::value v = get_json(cl, with_query("/api/v1/incidents", cl,
                                          {{"--state", "state"}, {"--priority", "priority"}, {"--group", "group"},
                                           {"--ci", "ci"}, {"--assignee", "assignee"}, {"--service", "service"},
                                           {"--since", "since"}, {"--until", "until"}, {"--q", "q"},
                                           {"--limit", "limit"}, {"--before", "before"}}));
  if (cl.json) return print_json(v);
  print_table<Incident>(v.at("incidents"), incident_header, api::incident_from_json, print_incident_row);
  if (v.at("next_before").is_int64()) std::cout << "(more: add --before " << v.at("next_before").as_int64() << ")\n";
  return 0;
}

int show_incident(const CommandLine& cl) {
  json::value v = get_json(cl, "/api/v1/incidents/" + incident_id_argument(cl));
  if (cl.json) return print_json(v);
  print_incident_detail(v);
  return 0;
}

int act(const CommandLine& cl, std::string_view verb, std::string_view done) {
  std::string id = incident_id_argument(cl);
  std::string body;
  // Each option is the body field of the same name (--code: resolution_code).
  json::object fields;
  for (const auto& [option, value] : cl.options) {
    std::string field = option.substr(2);
    fields[field == "code" ? "resolution_code" : field] = value;
  }
  if (!fields.empty()) body = json::serialize(fields);
  Reply r = checked(exchange(cl, http::verb::post, "/api/v1/incidents/" + id + "/" + std::string(verb), body));
  boost::system::error_code ec;
  auto incident = api::incident_from_json(json::parse(r.body, ec));
  std::cout << "incident " << id << ' ' << done;
  if (incident) std::cout << " (state " << to_string(incident->state) << ")";
  std::cout << '\n';
  return 0;
}

int list_alerts(const CommandLine& cl) {
  no_positional(cl);
  json::value v = get_json(cl, with_query("/api/v1/alerts", cl,
                                          {{"--state", "state"}, {"--resource", "resource"},
                                           {"--incident", "incident"}, {"--limit", "limit"}}));
  if (cl.json) return print_json(v);
  print_table<Alert>(v.at("alerts"), alert_header, api::alert_from_json, print_alert_row);
  return 0;
}

int list_problems(const CommandLine& cl) {
  no_positional(cl);
  json::value v = get_json(
      cl, with_query("/api/v1/problems", cl, {{"--window", "window"}, {"--min", "min"}, {"--limit", "limit"}}));
  if (cl.json) return print_json(v);
  const json::array& items = v.at("problems").as_array();
  if (items.empty()) return std::cout << "(none)\n", 0;
  std::cout << "CI                   INCIDENTS LAST    LAST OPENED          GROUP        SERVICES\n";
  for (const auto& p : items) {
    const json::object& o = p.as_object();
    const json::object& last = o.at("last_incident").as_object();
    std::string services;
    for (const auto& s : o.at("services").as_array())
      services += (services.empty() ? "" : ",") + std::string(s.as_string());
    std::string opened = last.at("opened_at").is_string() ? std::string(last.at("opened_at").as_string()) : "";
    std::cout << cell(std::string(o.at("ci").as_string()), 20) << ' '
              << cell(std::to_string(o.at("incident_count").as_int64()), 9) << ' '
              << cell(std::to_string(last.at("id").as_int64()), 7) << ' '
              << cell(opened.substr(0, 19) + (opened.empty() ? "" : "Z"), 20) << ' '
              << cell(std::string(o.at("group").as_string()), 12) << ' ' << services << '\n';
  }
  return 0;
}

std::string ci_path(const std::string& id) {
  boost::urls::url u;
  u.set_path("/api/v1/cmdb/cis");
  u.segments().push_back(id);
  return std::string(u.buffer());
}

std::string read_file_argument(const std::string& name) {
  std::ostringstream text;
  if (name == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(name, std::ios::binary);
    if (!in) throw UsageError("cannot read " + name);
    text << in.rdbuf();
  }
  return std::move(text).str();
}

int ci_command(const CommandLine& cl) {
  if (cl.positional.empty()) throw UsageError("'ci' needs a subcommand: list, get, put, rm or history");
  const std::string& sub = cl.positional[0];
  auto one_argument = [&](const char* what) -> const std::string& {
    if (cl.positional.size() != 2) throw UsageError("'ci " + sub + "' needs exactly one " + what);
    return cl.positional[1];
  };
  if (sub == "list") {
    if (cl.positional.size() != 1) throw UsageError("'ci list' takes no argument");
    json::value v =
        get_json(cl, with_query("/api/v1/cmdb/cis", cl, {{"--q", "q"}, {"--type", "type"}, {"--limit", "limit"}}));
    if (cl.json) return print_json(v);
    const json::array& items = v.at("cis").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    std::cout << "ID                   TYPE     CRITICALITY OWNER GROUP  SOURCE ORIGIN\n";
    for (const auto& c : items) {
      const json::object& o = c.as_object();
      auto str = [&](const char* k) { return std::string(o.at(k).as_string()); };
      std::cout << cell(str("id"), 20) << ' ' << cell(str("type"), 8) << ' ' << cell(str("criticality"), 11) << ' '
                << cell(str("owner_group"), 12) << ' ' << cell(str("source"), 6) << ' ' << str("origin") << '\n';
    }
    return 0;
  }
  if (sub == "get") return print_json(get_json(cl, ci_path(one_argument("CI id"))));
  if (sub == "history") {
    json::value v = get_json(cl, with_query(ci_path(one_argument("CI id")) + "/history", cl, {{"--limit", "limit"}}));
    if (cl.json) return print_json(v);
    const json::array& items = v.at("history").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    for (const auto& h : items) {
      const json::object& o = h.as_object();
      std::string at = o.at("at").is_string() ? std::string(o.at("at").as_string()) : "-";
      std::string fields;
      for (const auto& kv : o.at("changes").as_object()) fields += (fields.empty() ? "" : ", ") + std::string(kv.key());
      std::cout << at << "  " << cell(std::string(o.at("actor").as_string()), 14) << ' '
                << cell(std::string(o.at("source").as_string()), 5) << ' '
                << cell(std::string(o.at("action").as_string()), 9) << ' ' << fields << '\n';
    }
    return 0;
  }
  if (sub == "rm") {
    const std::string& id = one_argument("CI id");
    checked(exchange(cl, http::verb::delete_, ci_path(id)));
    std::cout << "CI " << id << " removed\n";
    return 0;
  }
  if (sub == "put") {
    std::string text = read_file_argument(one_argument("file (JSON of one CI, - for standard input)"));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object() || !v.as_object().contains("id") || !v.at("id").is_string())
      throw UsageError("the file must hold one CI as a JSON object with an \"id\"");
    std::string id(v.at("id").as_string());
    Reply r = exchange(cl, http::verb::put, ci_path(id), text);
    bool created = false;
    if (r.status == 404) {
      r = exchange(cl, http::verb::post, "/api/v1/cmdb/cis", text);
      created = true;
    }
    checked(r);
    std::cout << "CI " << id << (created ? " created" : " replaced") << '\n';
    return 0;
  }
  throw UsageError("unknown 'ci' subcommand '" + sub + "' (list, get, put, rm, history)");
}

// --- silences and maintenance windows ----------------------------------------

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// "ci=db01", "name=~disk_.*", "severity!=critical", "attr.mount!~/home.*"
json::object parse_match(const std::string& m) {
  std::size_t i = m.find_first_of("=!");
  if (i == std::string::npos || i == 0)
    throw UsageError("--match '" + m + "' must be FIELD=VALUE, FIELD!=VALUE, FIELD=~REGEX or FIELD!~REGEX");
  std::string op;
  if (m[i] == '!') {
    if (i + 1 >= m.size() || (m[i + 1] != '=' && m[i + 1] != '~'))
      throw UsageError("--match '" + m + "': after ! comes = or ~");
    op = m.substr(i, 2);
  } else {
    op = i + 1 < m.size() && m[i + 1] == '~' ? "=~" : "=";
  }
  return json::object{{"field", m.substr(0, i)}, {"op", op}, {"value", m.substr(i + op.size())}};
}

std::string option(const CommandLine& cl, const std::string& name) {
  auto it = cl.options.find(name);
  return it == cl.options.end() ? std::string() : it->second;
}

// The subcommand, and a check of how many arguments follow it: one (an id)
// for those in `with_id`, none for the others.
std::string subcommand(const CommandLine& cl, std::initializer_list<std::string_view> known,
                       std::string_view with_id) {
  if (cl.positional.empty()) throw UsageError("'" + cl.command + "' needs a subcommand");
  const std::string& sub = cl.positional[0];
  if (std::find(known.begin(), known.end(), sub) == known.end())
    throw UsageError("unknown subcommand '" + cl.command + " " + sub + "'");
  std::size_t args = sub == with_id ? 1 : 0;
  if (cl.positional.size() != args + 1)
    throw UsageError("'" + cl.command + " " + sub + "' takes " + (args ? "one ID" : "no argument"));
  if (args && cl.positional[1].find_first_not_of("0123456789") != std::string::npos && cl.command == "silence")
    throw UsageError("silence ID must be a number, not '" + cl.positional[1] + "'");
  return sub;
}

std::string text_of(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  return "";
}

std::string short_time(const json::value& v) { return v.is_string() ? text_of(v).substr(0, 16) + "Z" : "-"; }

// --- on call ----------------------------------------------------------------

std::string str(const json::value& v, std::string_view key) {
  const json::value* m = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  if (!m || m->is_null()) return "";
  if (m->is_string()) return std::string(m->as_string());
  return json::serialize(*m);
}

std::string short_time(const json::value& v, std::string_view key) {
  std::string t = str(v, key);
  return t.size() >= 19 ? t.substr(0, 19) + "Z" : (t.empty() ? "-" : t);
}

std::string contacts_text(const json::value& person) {
  std::string out;
  for (const auto& c : person.at("contacts").as_array())
    out += (out.empty() ? "" : ", ") + str(c, "channel") + " " + str(c, "address");
  return out.empty() ? "no contact method" : out;
}

void print_warnings(const json::value& v) {
  const auto& warnings = v.at("warnings").as_array();
  if (warnings.empty()) return;
  std::cout << "\nWarnings:\n";
  for (const auto& w : warnings) {
    std::cout << "  " << str(w, "message");
    if (str(w, "kind") == "gap") std::cout << " from " << short_time(w, "from") << " to " << short_time(w, "to");
    std::cout << '\n';
  }
}

void print_on_call(const json::value& v) {
  std::cout << "On call at " << short_time(v, "at") << '\n';
  for (const auto& g : v.at("groups").as_array()) {
    std::cout << '\n' << str(g, "group") << " (" << str(g, "name") << ")\n";
    for (const auto& layer : g.at("layers").as_array()) {
      const auto& on_duty = layer.at("on_duty").as_array();
      std::string name = str(layer, "layer");
      if (on_duty.empty()) std::cout << "  " << cell(name, 10) << " nobody on duty\n";
      for (const auto& p : on_duty) {
        std::cout << "  " << cell(name, 10) << ' ' << str(p, "id") << " (" << str(p, "name") << ")  "
                  << contacts_text(p) << "\n  " << std::string(10, ' ') << " shift " << short_time(p, "shift_start")
                  << " to " << short_time(p, "shift_end");
        const json::value& o = layer.at("override");
        if (!o.is_null())
          std::cout << "  [override" << (o.at("id").is_null() ? "" : " #" + str(o, "id")) << ": " << str(o, "reason")
                    << "]";
        std::cout << '\n';
      }
    }
    for (std::string_view role : {"lead", "manager"}) {
      const json::value& p = g.at(role);
      if (!p.is_null())
        std::cout << "  " << cell(std::string(role), 10) << ' ' << str(p, "id") << " (" << str(p, "name") << ")  "
                  << contacts_text(p) << '\n';
    }
  }
  print_warnings(v);
}

void print_calendar(const json::value& v) {
  std::cout << "Shifts from " << short_time(v, "from") << " to " << short_time(v, "to") << '\n';
  for (const auto& g : v.at("groups").as_array()) {
    std::cout << '\n' << str(g, "group") << '\n';
    for (const auto& layer : g.at("layers").as_array()) {
      const auto& shifts = layer.at("shifts").as_array();
      if (shifts.empty()) std::cout << "  " << cell(str(layer, "layer"), 10) << " nobody on duty\n";
      for (const auto& s : shifts)
        std::cout << "  " << cell(str(layer, "layer"), 10) << ' ' << short_time(s, "start") << "  "
                  << short_time(s, "end") << "  " << str(s, "person")
                  << (s.at("override").as_bool() ? " (override)" : "") << '\n';
    }
  }
  print_warnings(v);
}

std::string oncall_subcommand(const CommandLine& cl, std::size_t& consumed) {
  const auto& p = cl.positional;
  consumed = 0;
  if (p.empty()) return "";
  if (p[0] == "calendar") return consumed = 1, "calendar";
  if ((p[0] == "override" || p[0] == "log") && p.size() >= 2) {
    std::string sub = p[0] + " " + p[1];
    if (oncall_options.contains(sub)) return consumed = 2, sub;
  }
  throw UsageError("unknown oncall subcommand '" + p[0] + (p.size() > 1 ? " " + p[1] : "") +
                   "': use calendar, override add|list|rm or log add|list");
}

json::value post_json(const CommandLine& cl, const std::string& target, const json::object& body) {
  Reply r = checked(exchange(cl, http::verb::post, target, json::serialize(body)));
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) throw RequestError("the server sent invalid JSON: " + ec.message());
  return v;
}

void print_silence_row(const json::value& s) {
  std::string matchers;
  for (const auto& m : s.at("matchers").as_array()) {
    if (!matchers.empty()) matchers += ' ';
    matchers += text_of(m.at("field")) + text_of(m.at("op")) + text_of(m.at("value"));
  }
  std::cout << cell(text_of(s.at("id")), 6) << ' ' << cell(text_of(s.at("state")), 8) << ' '
            << cell(short_time(s.at("start")), 18) << ' ' << cell(short_time(s.at("end")), 18) << ' '
            << cell(text_of(s.at("author")), 10) << ' ' << cell(matchers, 32) << ' ' << text_of(s.at("comment"))
            << '\n';
}

int silence(const CommandLine& cl) {
  std::string sub = subcommand(cl, {"add", "list", "expire"}, "expire");
  if (sub == "list") {
    json::value v = get_json(cl, with_query("/api/v1/silences", cl, {{"--state", "state"}}));
    if (cl.json) return print_json(v);
    const auto& items = v.at("silences").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    std::cout << "ID     STATE    START              END                AUTHOR     MATCHERS                         "
                 "COMMENT\n";
    for (const auto& s : items) print_silence_row(s);
    return 0;
  }
  if (sub == "expire") {
    const std::string& id = cl.positional.at(1);
    checked(exchange(cl, http::verb::delete_, "/api/v1/silences/" + id));
    std::cout << "silence " << id << " expired\n";
    return 0;
  }
  if (cl.matches.empty()) throw UsageError("'silence add' needs at least one --match");
  json::array matchers;
  for (const auto& m : cl.matches) matchers.push_back(parse_match(m));
  json::object body{{"matchers", std::move(matchers)}};
  for (const char* key : {"start", "end", "duration", "comment"})
    if (cl.options.contains(std::string("--") + key)) body[key] = option(cl, std::string("--") + key);
  json::value v = post_json(cl, "/api/v1/silences", body);
  if (cl.json) return print_json(v);
  std::cout << "silence " << text_of(v.at("id")) << " added (" << text_of(v.at("state")) << " until "
            << short_time(v.at("end")) << ")\n";
  return 0;
}

void print_window_row(const json::value& w) {
  std::string cis;
  for (const auto& c : w.at("cis").as_array()) cis += (cis.empty() ? "" : ",") + text_of(c);
  if (w.at("include_dependents").as_bool()) cis += " +dependents";
  std::string when;
  if (text_of(w.at("schedule")) == "once") {
    when = short_time(w.at("start")) + " - " + short_time(w.at("end"));
  } else {
    std::string days;
    for (const auto& d : w.at("days").as_array()) days += (days.empty() ? "" : ",") + text_of(d);
    when = (days.empty() ? std::string("every day") : days) + " " + text_of(w.at("at")) + " " +
           text_of(w.at("time_zone")) + " for " + std::to_string(w.at("duration_ms").as_int64() / 60'000) + "m";
  }
  std::cout << cell(text_of(w.at("id")), 14) << ' ' << cell(text_of(w.at("source")), 6) << ' '
            << cell(text_of(w.at("schedule")), 8) << ' ' << cell(w.at("active").as_bool() ? "yes" : "no", 6) << ' '
            << cell(cis, 28) << ' ' << cell(when, 40) << ' ' << text_of(w.at("comment")) << '\n';
}

int maintenance(const CommandLine& cl) {
  std::string sub = subcommand(cl, {"add", "list", "rm"}, "rm");
  if (sub == "list") {
    json::value v = get_json(cl, "/api/v1/maintenance");
    if (cl.json) return print_json(v);
    const auto& items = v.at("maintenance").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    std::cout << "ID             SOURCE SCHEDULE ACTIVE CIS                          WHEN                          "
                 "           COMMENT\n";
    for (const auto& w : items) print_window_row(w);
    return 0;
  }
  if (sub == "rm") {
    const std::string& id = cl.positional.at(1);
    checked(exchange(cl, http::verb::delete_, "/api/v1/maintenance/" + id));
    std::cout << "maintenance window " << id << " removed\n";
    return 0;
  }
  if (!cl.options.contains("--cis")) throw UsageError("'maintenance add' needs --cis");
  json::array cis;
  for (const auto& c : split_list(option(cl, "--cis"))) cis.push_back(json::string(c));
  json::object body{{"cis", std::move(cis)}};
  if (cl.options.contains("--dependents")) body["include_dependents"] = true;
  for (const char* key : {"comment", "start", "end", "schedule", "at", "duration"})
    if (cl.options.contains(std::string("--") + key)) body[key] = option(cl, std::string("--") + key);
  if (cl.options.contains("--time-zone")) body["time_zone"] = option(cl, "--time-zone");
  if (cl.options.contains("--days")) {
    json::array days;
    for (const auto& d : split_list(option(cl, "--days"))) days.push_back(json::string(d));
    body["days"] = std::move(days);
  }
  json::value v = post_json(cl, "/api/v1/maintenance", body);
  if (cl.json) return print_json(v);
  std::cout << "maintenance window " << text_of(v.at("id")) << " added"
            << (v.at("active").as_bool() ? " (in force now)" : "") << '\n';
  return 0;
}

int oncall(const CommandLine& cl) {
  std::size_t consumed = 0;
  std::string sub = oncall_subcommand(cl, consumed);
  for (const auto& [option, value] : cl.options)
    if (!oncall_options.at(sub).contains(option))
      throw UsageError("'oncall" + (sub.empty() ? "" : " " + sub) + "' has no option " + option);
  std::vector<std::string> rest(cl.positional.begin() + static_cast<std::ptrdiff_t>(consumed), cl.positional.end());
  if (sub != "override rm" && !rest.empty()) throw UsageError("unexpected argument '" + rest[0] + "'");
  auto require = [&](std::initializer_list<const char*> options) {
    for (const char* o : options)
      if (!cl.options.contains(o)) throw UsageError("'oncall " + sub + "' needs " + o);
  };
  if (sub.empty()) {
    json::value v = get_json(cl, with_query("/api/v1/oncall", cl, {{"--group", "group"}, {"--at", "at"}}));
    if (cl.json) return print_json(v);
    print_on_call(v);
    return 0;
  }
  if (sub == "calendar") {
    json::value v = get_json(
        cl, with_query("/api/v1/oncall/calendar", cl, {{"--group", "group"}, {"--days", "days"}, {"--from", "from"}}));
    if (cl.json) return print_json(v);
    print_calendar(v);
    return 0;
  }
  if (sub == "override add") {
    require({"--group", "--person", "--start", "--end", "--reason"});
    json::object body;
    for (const auto& [option, value] : cl.options)
      if (option != "--json") body[option.substr(2)] = value;
    json::value v = post_json(cl, "/api/v1/oncall/overrides", body);
    if (cl.json) return print_json(v);
    std::cout << "override " << str(v, "id") << " added: " << str(v, "person") << " on " << str(v, "layer")
              << " for " << str(v, "group") << " from " << short_time(v, "start") << " to " << short_time(v, "end")
              << '\n';
    return 0;
  }
  if (sub == "override list") {
    CommandLine q = cl;
    if (q.options.contains("--past")) q.options["--past"] = "true";
    json::value v = get_json(cl, with_query("/api/v1/oncall/overrides", q, {{"--group", "group"}, {"--past", "past"}}));
    if (cl.json) return print_json(v);
    const auto& items = v.at("overrides").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    std::cout << "ID     GROUP        LAYER      PERSON       START                END                  BY       "
                 "REASON\n";
    for (const auto& o : items)
      std::cout << cell(o.at("id").is_null() ? "config" : str(o, "id"), 6) << ' ' << cell(str(o, "group"), 12) << ' '
                << cell(str(o, "layer"), 10) << ' ' << cell(str(o, "person"), 12) << ' '
                << cell(short_time(o, "start"), 20) << ' ' << cell(short_time(o, "end"), 20) << ' '
                << cell(str(o, "created_by"), 8) << ' ' << str(o, "reason") << '\n';
    return 0;
  }
  if (sub == "override rm") {
    if (rest.size() != 1 || rest[0].empty() || rest[0].find_first_not_of("0123456789") != std::string::npos)
      throw UsageError("'oncall override rm' needs exactly one override ID (a number)");
    checked(exchange(cl, http::verb::delete_, "/api/v1/oncall/overrides/" + rest[0]));
    std::cout << "override " << rest[0] << " removed\n";
    return 0;
  }
  if (sub == "log add") {
    require({"--group", "--text"});
    json::value v = post_json(cl, "/api/v1/oncall/log",
                              json::object{{"group", cl.options.at("--group")}, {"text", cl.options.at("--text")}});
    if (cl.json) return print_json(v);
    std::cout << "note " << str(v, "id") << " added to the duty log of " << str(v, "group") << '\n';
    return 0;
  }
  json::value v = get_json(
      cl, with_query("/api/v1/oncall/log", cl, {{"--group", "group"}, {"--since", "since"}, {"--limit", "limit"}}));
  if (cl.json) return print_json(v);
  const auto& notes = v.at("notes").as_array();
  if (notes.empty()) return std::cout << "(none)\n", 0;
  for (const auto& n : notes)
    std::cout << short_time(n, "at") << "  " << cell(str(n, "group"), 12) << ' ' << cell(str(n, "author"), 10) << ' '
              << str(n, "text") << '\n';
  return 0;
}

// --- people and groups -------------------------------------------------------

int directory_command(const CommandLine& cl) {
  const bool people = cl.command == "people";
  const std::string base = people ? "/api/v1/people" : "/api/v1/groups";
  const std::string what = people ? "user" : "group";
  auto path_of = [&](const std::string& id) {
    boost::urls::url u;
    u.set_path(base);
    u.segments().push_back(id);
    return std::string(u.buffer());
  };
  if (cl.positional.empty())
    throw UsageError("'" + cl.command + "' needs a subcommand: list, show, add, put, remove or history");
  const std::string& sub = cl.positional[0];
  std::set<std::string> allowed;
  if (sub == "list") allowed = {"--json"};
  if (sub == "history") allowed = {"--json", "--limit"};
  if (sub == "add")
    allowed = people ? std::set<std::string>{"--id", "--name", "--time-zone", "--sms", "--email", "--json"}
                     : std::set<std::string>{"--id", "--name", "--members", "--lead", "--manager", "--json"};
  for (const auto& [o, v] : cl.options)
    if (!allowed.contains(o)) throw UsageError("'" + cl.command + " " + sub + "' has no option " + o);
  auto one_argument = [&](const char* name) -> const std::string& {
    if (cl.positional.size() != 2) throw UsageError("'" + cl.command + " " + sub + "' needs exactly one " + name);
    return cl.positional[1];
  };
  if (sub == "list") {
    if (cl.positional.size() != 1) throw UsageError("'" + cl.command + " list' takes no argument");
    json::value v = get_json(cl, base);
    if (cl.json) return print_json(v);
    const json::array& items = v.at(people ? "people" : "groups").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    if (people) {
      std::cout << "ID               NAME                 TIME ZONE        SOURCE CONTACTS\n";
      for (const auto& p : items) {
        std::string contacts;
        for (const auto& c : p.at("contacts").as_array())
          for (const auto& kv : c.as_object())
            contacts += (contacts.empty() ? "" : ", ") + std::string(kv.key()) + " " + text_of(kv.value());
        std::cout << cell(str(p, "id"), 16) << ' ' << cell(str(p, "name"), 20) << ' ' << cell(str(p, "time_zone"), 16)
                  << ' ' << cell(str(p, "source"), 6) << ' ' << (contacts.empty() ? "no contact method" : contacts)
                  << '\n';
      }
    } else {
      std::cout << "ID               NAME                 LEAD         MANAGER      SOURCE MEMBERS\n";
      for (const auto& g : items) {
        std::string members;
        for (const auto& m : g.at("members").as_array()) members += (members.empty() ? "" : ",") + text_of(m);
        std::cout << cell(str(g, "id"), 16) << ' ' << cell(str(g, "name"), 20) << ' ' << cell(str(g, "lead"), 12)
                  << ' ' << cell(str(g, "manager"), 12) << ' ' << cell(str(g, "source"), 6) << ' ' << members << '\n';
      }
    }
    return 0;
  }
  if (sub == "show") return print_json(get_json(cl, path_of(one_argument("id"))));
  if (sub == "history") {
    json::value v = get_json(cl, with_query(path_of(one_argument("id")) + "/history", cl, {{"--limit", "limit"}}));
    if (cl.json) return print_json(v);
    const json::array& items = v.at("history").as_array();
    if (items.empty()) return std::cout << "(none)\n", 0;
    for (const auto& h : items) {
      // The fields that differ between before and after.
      std::string fields;
      const json::value& b = h.at("before");
      const json::value& a = h.at("after");
      std::set<std::string> keys;
      for (const json::value* side : {&b, &a})
        if (side->is_object())
          for (const auto& kv : side->as_object()) keys.insert(std::string(kv.key()));
      for (const auto& k : keys) {
        const json::value* x = b.is_object() ? b.as_object().if_contains(k) : nullptr;
        const json::value* y = a.is_object() ? a.as_object().if_contains(k) : nullptr;
        if (!x || !y || *x != *y) fields += (fields.empty() ? "" : ", ") + k;
      }
      std::cout << short_time(h, "at") << "  " << cell(str(h, "actor"), 14) << ' ' << cell(str(h, "action"), 9) << ' '
                << fields << '\n';
    }
    return 0;
  }
  if (sub == "remove" || sub == "rm") {
    const std::string& id = one_argument("id");
    checked(exchange(cl, http::verb::delete_, path_of(id)));
    std::cout << what << ' ' << id << " removed\n";
    return 0;
  }
  if (sub == "put" || (sub == "add" && cl.positional.size() == 2)) {
    if (sub == "add" && !cl.options.empty())
      throw UsageError("'" + cl.command + " add' takes either FILE or --id and the other options");
    std::string text = read_file_argument(one_argument("file (JSON, - for standard input)"));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object() || !v.as_object().contains("id") || !v.at("id").is_string())
      throw UsageError("the file must hold one " + what + " as a JSON object with an \"id\"");
    std::string id(v.at("id").as_string());
    Reply r = checked(sub == "put" ? exchange(cl, http::verb::put, path_of(id), text)
                                   : exchange(cl, http::verb::post, base, text));
    std::cout << what << ' ' << id << (r.status == 201 ? " created" : " replaced") << '\n';
    return 0;
  }
  if (sub == "add") {
    if (cl.positional.size() != 1) throw UsageError("'" + cl.command + " add' takes FILE or options, not both");
    std::string id = option(cl, "--id");
    if (id.empty()) throw UsageError("'" + cl.command + " add' needs --id (or a FILE)");
    json::object body{{"id", id}};
    if (cl.options.contains("--name")) body["name"] = option(cl, "--name");
    if (people) {
      if (cl.options.contains("--time-zone")) body["time_zone"] = option(cl, "--time-zone");
      json::array contacts;
      for (const auto& [channel, address] : cl.contacts) contacts.push_back(json::object{{channel, address}});
      body["contacts"] = std::move(contacts);
    } else {
      json::array members;
      for (const auto& m : split_list(option(cl, "--members"))) members.push_back(json::string(m));
      body["members"] = std::move(members);
      if (cl.options.contains("--lead")) body["lead"] = option(cl, "--lead");
      if (cl.options.contains("--manager")) body["manager"] = option(cl, "--manager");
    }
    json::value v = post_json(cl, base, body);
    if (cl.json) return print_json(v);
    std::cout << what << ' ' << str(v, "id") << " created\n";
    return 0;
  }
  throw UsageError("unknown '" + cl.command + "' subcommand '" + sub + "' (list, show, add, put, remove, history)");
}

int health(const CommandLine& cl) {
  no_positional(cl);
  Reply live = exchange(cl, http::verb::get, "/healthz");
  Reply ready = exchange(cl, http::verb::get, "/readyz");
  auto line = [](std::string_view what, const Reply& r) {
    std::string body = r.body;
    while (!body.empty() && body.back() == '\n') body.pop_back();
    std::cout << what << ": " << (body.empty() ? "HTTP " + std::to_string(r.status) : body) << '\n';
  };
  line("healthz", live);
  line("readyz", ready);
  return live.status == 200 && ready.status == 200 ? 0 : 1;
}

int metrics(const CommandLine& cl) {
  no_positional(cl);
  std::cout << checked(exchange(cl, http::verb::get, "/metrics")).body;
  return 0;
}

int run(const CommandLine& cl) {
  if (cl.command == "incidents") return list_incidents(cl);
  if (cl.command == "incident") return show_incident(cl);
  if (cl.command == "ack") return act(cl, "acknowledge", "acknowledged");
  if (cl.command == "resolve") return act(cl, "resolve", "resolved");
  if (cl.command == "close") return act(cl, "close", "closed");
  if (cl.command == "reopen") return act(cl, "reopen", "reopened");
  if (cl.command == "assign") return act(cl, "assign", "assigned");
  if (cl.command == "forward") return act(cl, "forward", "forwarded");
  if (cl.command == "return") return act(cl, "return", "returned");
  if (cl.command == "comment") return act(cl, "comment", "commented");
  if (cl.command == "priority") return act(cl, "priority", "reprioritised");
  if (cl.command == "alerts") return list_alerts(cl);
  if (cl.command == "problems") return list_problems(cl);
  if (cl.command == "ci") return ci_command(cl);
  if (cl.command == "silence") return silence(cl);
  if (cl.command == "maintenance") return maintenance(cl);
  if (cl.command == "oncall") return oncall(cl);
  if (cl.command == "people" || cl.command == "groups") return directory_command(cl);
  if (cl.command == "health") return health(cl);
  return metrics(cl);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CommandLine cl = parse_command_line(argc, argv);
    if (cl.help) {
      std::cout << usage_text;
      return 0;
    }
    parse_url(cl.url);
    return run(cl);
  } catch (const UsageError& e) {
    std::cerr << "tocsinctl: " << e.what() << "\n\n" << usage_text;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tocsinctl: " << e.what() << '\n';
    return 1;
  }
}
