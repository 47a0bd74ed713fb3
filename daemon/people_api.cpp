// The /api/v1/people and /api/v1/groups routes and their bodies.
#include "daemon/people_api.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <set>
#include <spdlog/spdlog.h>

#include "daemon/json.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

std::shared_ptr<spdlog::logger> log() {
  auto l = spdlog::get("http");
  return l ? l : spdlog::default_logger();
}

constexpr std::string_view read_only[] = {"source", "updated_at", "updated_by"};

BodyRefusal invalid(std::string field, std::string message) {
  return {"invalid_value", {std::move(field), std::move(message)}};
}

// The body as a JSON object whose keys are among `allowed` (or read-only).
std::variant<json::object, BodyRefusal> object_of(std::string_view body,
                                                  std::initializer_list<std::string_view> allowed,
                                                  const PeopleLimits& limits) {
  if (body.size() > limits.max_body)
    return BodyRefusal{"too_large", {"", "body is larger than " + std::to_string(limits.max_body) + " bytes"}};
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  json::value v = json::parse(body, ec, {}, options);
  if (ec) return BodyRefusal{"invalid_json", {"", "invalid JSON body: " + ec.message()}};
  if (!v.is_object()) return BodyRefusal{"invalid_json", {"", "body must be a JSON object"}};
  for (const auto& kv : v.get_object()) {
    bool known = std::find(allowed.begin(), allowed.end(), kv.key()) != allowed.end() ||
                 std::find(std::begin(read_only), std::end(read_only), kv.key()) != std::end(read_only);
    if (!known)
      return BodyRefusal{"unknown_field",
                         {std::string(kv.key()), "unknown field '" + valid_utf8(kv.key()) + "'"}};
  }
  return std::move(v.get_object());
}

// Printable UTF-8 without control characters, at most `max` bytes.
std::optional<BodyRefusal> check_text(const std::string& text, const std::string& field, std::size_t max) {
  if (text.size() > max) return invalid(field, field + " is longer than " + std::to_string(max) + " bytes");
  if (valid_utf8(text) != text) return invalid(field, field + " must be valid UTF-8");
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return invalid(field, field + " must not hold control characters");
  return std::nullopt;
}

// A string member; nullopt when absent. A member of another type is refused.
std::variant<std::optional<std::string>, BodyRefusal> string_member(const json::object& o, std::string_view key,
                                                                    const std::string& field) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) return invalid(field, field + " must be a string");
  return std::optional<std::string>{std::string(v->get_string())};
}

// The id of the body checked against the URL's.
std::variant<std::string, BodyRefusal> id_of(const json::object& o, std::optional<std::string_view> path_id,
                                             const PeopleLimits& limits) {
  auto id = string_member(o, "id", "id");
  if (auto* r = std::get_if<BodyRefusal>(&id)) return *r;
  auto& given = std::get<std::optional<std::string>>(id);
  if (path_id) {
    if (given && *given != *path_id)
      return invalid("id", "id '" + valid_utf8(*given) + "' differs from the id of the URL '" + valid_utf8(*path_id) +
                               "'");
    if (!valid_entry_id(*path_id, limits))
      return invalid("id", "id must be 1 to " + std::to_string(limits.max_id) + " of A-Z a-z 0-9 . _ - @ +");
    return std::string(*path_id);
  }
  if (!given || given->empty()) return invalid("id", "id is required");
  if (!valid_entry_id(*given, limits))
    return invalid("id", "id must be 1 to " + std::to_string(limits.max_id) + " of A-Z a-z 0-9 . _ - @ +");
  return *given;
}

std::optional<BodyRefusal> read_name(const json::object& o, const std::string& id, std::string& out,
                                     const PeopleLimits& limits) {
  auto name = string_member(o, "name", "name");
  if (auto* r = std::get_if<BodyRefusal>(&name)) return *r;
  out = std::get<std::optional<std::string>>(name).value_or("");
  if (auto e = check_text(out, "name", limits.max_name)) return e;
  if (out.empty()) out = id;
  return std::nullopt;
}

std::string email_problem(const std::string& address) {
  auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size() || address.find('@', at + 1) != std::string::npos)
    return "expected an e-mail address such as alice@example.net";
  if (std::any_of(address.begin(), address.end(), [](char c) { return c == ' ' || c == '\t'; }))
    return "an e-mail address has no spaces";
  return {};
}

std::optional<BodyRefusal> read_contacts(const json::object& o, oncall::Person& p, const PeopleLimits& limits) {
  const json::value* v = o.if_contains("contacts");
  if (!v) return std::nullopt;
  if (!v->is_array()) return invalid("contacts", "contacts must be a list of {\"sms\": ...} or {\"email\": ...}");
  const json::array& list = v->get_array();
  if (list.size() > limits.max_contacts)
    return invalid("contacts", "at most " + std::to_string(limits.max_contacts) + " contacts");
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = "contacts[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return invalid(at, at + " must be an object such as {\"sms\": \"+33612345678\"}");
    const json::object& c = list[i].get_object();
    for (const auto& kv : c)
      if (kv.key() != "sms" && kv.key() != "email")
        return BodyRefusal{"unknown_field",
                           {at + "." + std::string(kv.key()), "unknown field '" + valid_utf8(kv.key()) + "'"}};
    if (c.size() != 1) return invalid(at, at + ": give exactly one of sms or email");
    std::string channel(c.begin()->key());
    std::string field = at + "." + channel;
    if (!c.begin()->value().is_string()) return invalid(field, field + " must be a string");
    std::string address(c.begin()->value().get_string());
    if (auto e = check_text(address, field, limits.max_address)) return e;
    std::string why = channel == "email" ? email_problem(address) : oncall::contact_problem({channel, address});
    if (channel == "sms" && why.empty()) {
      std::size_t digits = oncall::normalize_phone(address).size() - 1;
      if (digits < 6 || digits > 15) why = "an international number has 6 to 15 digits, such as +33612345678";
    }
    if (!why.empty()) return invalid(field, why);
    p.contacts.push_back({channel, address});
  }
  return std::nullopt;
}

}  // namespace

bool valid_entry_id(std::string_view id, const PeopleLimits& limits) {
  if (id.empty() || id.size() > limits.max_id) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == '@' || c == '+';
  });
}

std::variant<oncall::Person, BodyRefusal> parse_person(std::string_view body, std::optional<std::string_view> path_id,
                                                       const PeopleLimits& limits) {
  auto parsed = object_of(body, {"id", "name", "time_zone", "contacts"}, limits);
  if (auto* r = std::get_if<BodyRefusal>(&parsed)) return *r;
  const json::object& o = std::get<json::object>(parsed);
  oncall::Person p;
  auto id = id_of(o, path_id, limits);
  if (auto* r = std::get_if<BodyRefusal>(&id)) return *r;
  p.id = std::get<std::string>(std::move(id));
  if (auto e = read_name(o, p.id, p.name, limits)) return *e;
  auto zone = string_member(o, "time_zone", "time_zone");
  if (auto* r = std::get_if<BodyRefusal>(&zone)) return *r;
  p.time_zone = std::get<std::optional<std::string>>(zone).value_or("");
  if (p.time_zone.size() > limits.max_name || (!p.time_zone.empty() && !oncall::known_zone(p.time_zone)))
    return invalid("time_zone", "unknown time zone '" + valid_utf8(p.time_zone.substr(0, limits.max_name)) +
                                    "': use an IANA name such as Europe/Paris or America/New_York");
  if (auto e = read_contacts(o, p, limits)) return *e;
  return p;
}

std::variant<oncall::Group, BodyRefusal> parse_group(std::string_view body, std::optional<std::string_view> path_id,
                                                     const PeopleLimits& limits) {
  auto parsed = object_of(body, {"id", "name", "members", "lead", "manager"}, limits);
  if (auto* r = std::get_if<BodyRefusal>(&parsed)) return *r;
  const json::object& o = std::get<json::object>(parsed);
  oncall::Group g;
  auto id = id_of(o, path_id, limits);
  if (auto* r = std::get_if<BodyRefusal>(&id)) return *r;
  g.id = std::get<std::string>(std::move(id));
  if (auto e = read_name(o, g.id, g.name, limits)) return *e;
  if (const json::value* v = o.if_contains("members")) {
    if (!v->is_array()) return invalid("members", "members must be a list of user ids");
    const json::array& list = v->get_array();
    if (list.size() > limits.max_members)
      return invalid("members", "at most " + std::to_string(limits.max_members) + " members");
    std::set<std::string, std::less<>> seen;
    for (const auto& m : list) {
      if (!m.is_string()) return invalid("members", "members must be a list of user ids (strings)");
      std::string id(m.get_string());
      if (id.empty()) return invalid("members", "members must not hold an empty id");
      if (auto e = check_text(id, "members", limits.max_id)) return *e;
      if (!seen.insert(id).second) return invalid("members", "members lists '" + id + "' twice");
      g.members.push_back(std::move(id));
    }
  }
  for (auto [key, out] : {std::pair{"lead", &g.lead}, std::pair{"manager", &g.manager}}) {
    auto value = string_member(o, key, key);
    if (auto* r = std::get_if<BodyRefusal>(&value)) return *r;
    *out = std::get<std::optional<std::string>>(value).value_or("");
    if (auto e = check_text(*out, key, limits.max_id)) return *e;
  }
  return g;
}

json::object to_json(const oncall::Person& p) {
  json::array contacts;
  for (const auto& c : p.contacts) contacts.push_back(json::object{{c.channel, valid_utf8(c.address)}});
  return json::object{{"id", valid_utf8(p.id)},
                      {"name", valid_utf8(p.name)},
                      {"time_zone", valid_utf8(p.time_zone)},
                      {"contacts", std::move(contacts)}};
}

json::object to_json(const oncall::Group& g) {
  json::array members;
  for (const auto& m : g.members) members.push_back(json::string(valid_utf8(m)));
  return json::object{{"id", valid_utf8(g.id)},
                      {"name", valid_utf8(g.name)},
                      {"members", std::move(members)},
                      {"lead", valid_utf8(g.lead)},
                      {"manager", valid_utf8(g.manager)}};
}

oncall::Overlay overlay_of(const std::vector<oncall::StoredEntry>& entries, const PeopleLimits& limits) {
  oncall::Overlay out;
  // A deleted entry hides the configured one; one that no longer parses is left out.
  auto lay = [&limits](auto& into, const oncall::StoredEntry& e, auto parse) {
    if (e.deleted) {
      into[e.id] = std::nullopt;
      return;
    }
    auto parsed = parse(e.json, e.id, limits);
    if (auto* r = std::get_if<BodyRefusal>(&parsed)) {
      log()->warn("oncall: stored {} {} left out: {}: {}", e.kind, e.id, r->error.field, r->error.message);
      return;
    }
    into[e.id] = std::get<0>(std::move(parsed));
  };
  for (const auto& e : entries) {
    if (e.kind == "person") lay(out.people, e, parse_person);
    else if (e.kind == "group") lay(out.groups, e, parse_group);
  }
  return out;
}

// ---- routes -----------------------------------------------------------------------------------

namespace {

using Kind = PeopleRoutes::Kind;

std::string_view kind_name(Kind k) { return k == Kind::person ? "person" : "group"; }
std::string_view plural(Kind k) { return k == Kind::person ? "people" : "groups"; }

std::optional<json::object> entry_json(Kind k, const oncall::Snapshot* d, std::string_view id) {
  if (!d) return std::nullopt;
  if (k == Kind::person) {
    const oncall::Person* p = d->person(id);
    return p ? std::optional(to_json(*p)) : std::nullopt;
  }
  const oncall::Group* g = d->group(id);
  return g ? std::optional(to_json(*g)) : std::nullopt;
}

json::value parsed_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace

PeopleRoutes::PeopleRoutes(Router& router, OncallDirectory& directory, StoreReaders::OpenStore open_store,
                           const Clock& clock, StatsRegistry& stats, PeopleLimits limits)
    : directory_(directory), clock_(clock), stats_(stats), limits_(limits), store_(std::move(open_store), 1) {
  using http::verb;
  for (Kind kind : {Kind::person, Kind::group}) {
    std::string base = "/api/v1/" + std::string(plural(kind));
    auto on = [this, kind](auto method) {
      return [this, kind, method](ApiRequest r, Respond respond) {
        (this->*method)(kind, std::move(r), std::move(respond));
      };
    };
    auto writing = [this, kind](Write how) {
      return [this, kind, how](ApiRequest r, Respond respond) { write(kind, how, std::move(r), std::move(respond)); };
    };
    router.add(verb::get, base, Role::viewer, on(&PeopleRoutes::list));
    router.add(verb::post, base, Role::admin, writing(Write::create));
    router.add(verb::get, base + "/{id}/history", Role::viewer, on(&PeopleRoutes::history));
    router.add(verb::get, base + "/{id}", Role::viewer, on(&PeopleRoutes::show));
    router.add(verb::put, base + "/{id}", Role::admin, writing(Write::put));
    router.add(verb::delete_, base + "/{id}", Role::admin, writing(Write::erase));
  }
}

Response PeopleRoutes::refuse(const BodyRefusal& r) const {
  oncall_rejected_total(stats_, r.reason).inc();
  auto status = r.reason == "too_large" ? http::status::payload_too_large : http::status::bad_request;
  return error_response(status, valid_utf8(r.error.message), r.error.field);
}

json::object PeopleRoutes::describe(Kind kind, const oncall::Snapshot& d, const std::string& id,
                                    const oncall::Overlay& overlay,
                                    const std::vector<oncall::StoredEntry>& stored) const {
  json::object o = *entry_json(kind, &d, id);
  bool api = kind == Kind::person ? overlay.people.contains(id) : overlay.groups.contains(id);
  o["source"] = api ? "api" : "config";
  if (api) {
    auto it = std::find_if(stored.begin(), stored.end(),
                           [&](const oncall::StoredEntry& e) { return e.kind == kind_name(kind) && e.id == id; });
    if (it != stored.end()) {
      o["updated_at"] = format_time(it->updated_at_ms);
      o["updated_by"] = it->updated_by;
    }
  }
  return o;
}

void PeopleRoutes::list(Kind kind, ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {})) return respond(field_error(*e));
  store_.run(
      [this, kind](Store& store) {
        auto d = directory_.current();
        auto overlay = directory_.overlay();
        auto stored = store.oncall_entries();
        json::array items;
        if (d) {
          if (kind == Kind::person)
            for (const auto& p : d->people()) items.push_back(describe(kind, *d, p.id, overlay, stored));
          else
            for (const auto& g : d->groups()) items.push_back(describe(kind, *d, g.id, overlay, stored));
        }
        return json_ok(json::object{{std::string(plural(kind)), std::move(items)}});
      },
      std::move(respond));
}

void PeopleRoutes::show(Kind kind, ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {})) return respond(field_error(*e));
  std::string id(request.param("id"));
  store_.run(
      [this, kind, id](Store& store) {
        auto d = directory_.current();
        if (!entry_json(kind, d.get(), id))
          return error_response(http::status::not_found, "no " + std::string(kind_name(kind)) + " '" +
                                                             valid_utf8(id) + "'", "id");
        return json_ok(describe(kind, *d, id, directory_.overlay(), store.oncall_entries()));
      },
      std::move(respond));
}

void PeopleRoutes::history(Kind kind, ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {"limit"})) return respond(field_error(*e));
  std::int64_t limit = 100;
  if (auto e = read_limit(request, limit)) return respond(field_error(*e));
  std::string id(request.param("id"));
  store_.run(
      [this, kind, id, limit](Store& store) {
        auto changes = store.oncall_history(std::string(kind_name(kind)), id, limit);
        if (changes.empty() && !entry_json(kind, directory_.current().get(), id))
          return error_response(http::status::not_found, "no " + std::string(kind_name(kind)) + " '" +
                                                             valid_utf8(id) + "'", "id");
        json::array items;
        for (const auto& c : changes)
          items.push_back(json::object{{"id", c.id},
                                       {"at", format_time(c.at_ms)},
                                       {"actor", c.actor},
                                       {"action", c.action},
                                       {"before", parsed_or_null(c.before_json)},
                                       {"after", parsed_or_null(c.after_json)}});
        return json_ok(json::object{{"history", std::move(items)}});
      },
      std::move(respond));
}

void PeopleRoutes::write(Kind kind, Write how, ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {})) return respond(field_error(*e));
  std::optional<std::string_view> path_id;
  if (how != Write::create) path_id = request.param("id");
  // The new entry (nullopt for a deletion), parsed before the store is asked.
  std::optional<oncall::Person> person;
  std::optional<oncall::Group> group;
  std::string id = path_id ? std::string(*path_id) : std::string();
  if (how != Write::erase) {
    const std::string& body = request.http.body();
    if (kind == Kind::person) {
      auto p = parse_person(body, path_id, limits_);
      if (auto* r = std::get_if<BodyRefusal>(&p)) return respond(refuse(*r));
      person = std::get<oncall::Person>(std::move(p));
      id = person->id;
    } else {
      auto g = parse_group(body, path_id, limits_);
      if (auto* r = std::get_if<BodyRefusal>(&g)) return respond(refuse(*r));
      group = std::get<oncall::Group>(std::move(g));
      id = group->id;
    }
  }
  std::string actor = request.actor;
  store_.run(
      [this, kind, how, id, person = std::move(person), group = std::move(group), actor](Store& store) {
        std::string what = std::string(kind_name(kind)) + " '" + valid_utf8(id) + "'";
        auto before = entry_json(kind, directory_.current().get(), id);
        if (how == Write::create && before)
          return error_response(http::status::conflict, what + " exists: PUT replaces it", "id");
        if (how == Write::erase && !before) return error_response(http::status::not_found, "no " + what, "id");
        oncall::Overlay next = directory_.overlay();
        bool known = kind == Kind::person ? next.people.contains(id) : next.groups.contains(id);
        if (!known && next.people.size() + next.groups.size() >= limits_.max_entries)
          return error_response(http::status::conflict, "too many people and groups changed through the API (at most " +
                                                            std::to_string(limits_.max_entries) + ")");
        std::optional<json::object> after;
        if (kind == Kind::person) {
          next.people[id] = person;
          if (person) after = to_json(*person);
        } else {
          next.groups[id] = group;
          if (group) after = to_json(*group);
        }
        std::int64_t now = clock_.wall_ms();
        oncall::StoredEntry entry{std::string(kind_name(kind)), id, !after, after ? json::serialize(*after) : "",
                                  now, actor};
        std::string action = how == Write::erase ? "deleted" : before ? "replaced" : "created";
        oncall::EntryChange change{0, entry.kind, id, now, actor, action, before ? json::serialize(*before) : "",
                                   entry.json};
        auto problems =
            directory_.change_overlay(std::move(next), now, [&] { store.write_oncall_entry(entry, change); });
        if (!problems.empty()) {
          const oncall::Problem& p = problems.front();
          if (p.kind == kind_name(kind) && p.id == id) return refuse({"inconsistent", {p.field, p.message}});
          return refuse({"inconsistent",
                         {"id", what + (how == Write::erase ? " cannot be deleted: " : " would make ") +
                                    (p.kind == "roster" ? "the roster of " + p.id : p.kind + " " + p.id) + " " +
                                    p.field + ": " + p.message +
                                    (p.kind == "roster"     ? " (rosters are in the configuration)"
                                     : p.kind == "override" ? " (remove the override first)"
                                                            : "")}});
        }
        log()->info("oncall: {} {} by={}", what, action, actor);
        if (!after) return json_ok(json::object{{"deleted", id}});
        auto d = directory_.current();
        return json_ok(describe(kind, *d, id, directory_.overlay(), {entry}),
                       action == "created" ? http::status::created : http::status::ok);
      },
      std::move(respond));
}

}  // namespace tocsin::api
