// The /api/v1/oncall routes and the merge of stored overrides into the
// on-call directory.
#include "daemon/oncall_api.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <iterator>
#include <charconv>
#include <limits>
#include <set>
#include <spdlog/spdlog.h>

#include "daemon/json.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

std::shared_ptr<spdlog::logger> log() {
  auto l = spdlog::get("http");
  return l ? l : spdlog::default_logger();
}

// RFC 3339 with Z or an offset. A '+' of an offset that reached us as a space
// (an unencoded query string) is read as '+'.
std::optional<std::int64_t> read_time(std::string text) {
  if (auto t = parse_time(text)) return t;
  std::replace(text.begin(), text.end(), ' ', '+');
  return oncall::parse_instant(text);
}

std::optional<FieldError> read_time_parameter(const ApiRequest& r, std::string_view name, std::int64_t& out) {
  if (const std::string* v = r.query_value(name)) {
    auto t = read_time(*v);
    if (!t)
      return FieldError{std::string(name),
                        std::string(name) + " must be an RFC 3339 time, e.g. 2026-11-23T15:04:05Z or "
                                            "2026-11-23T16:04:05+01:00"};
    out = *t;
  }
  return std::nullopt;
}

// A JSON object body whose members are all strings, among `allowed`.
std::variant<json::object, FieldError> string_object(const std::string& body,
                                                     std::initializer_list<std::string_view> allowed) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return FieldError{"", "invalid JSON body: " + ec.message(), "invalid_json"};
  if (!v.is_object()) return FieldError{"", "body must be a JSON object", "invalid_json"};
  for (const auto& kv : v.get_object()) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
      return FieldError{std::string(kv.key()), "unknown field '" + valid_utf8(kv.key()) + "'", "unknown_field"};
    if (!kv.value().is_string()) return FieldError{std::string(kv.key()), std::string(kv.key()) + " must be a string"};
  }
  return std::move(v.get_object());
}

std::string member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? std::string(v->get_string()) : std::string();
}

std::optional<FieldError> check_text(const std::string& text, std::string_view field, std::size_t max) {
  if (text.size() > max)
    return FieldError{std::string(field), std::string(field) + " is longer than " + std::to_string(max) + " bytes"};
  if (valid_utf8(text) != text) return FieldError{std::string(field), std::string(field) + " must be valid UTF-8"};
  return std::nullopt;
}

json::value time_or_null(std::int64_t ms) { return ms == 0 ? json::value(nullptr) : json::value(format_time(ms)); }

json::object person_json(const oncall::Snapshot& d, const std::string& id) {
  json::object o{{"id", id}};
  const oncall::Person* p = d.person(id);
  o["name"] = p ? p->name : id;
  o["time_zone"] = p && !p->time_zone.empty() ? p->time_zone : "UTC";
  json::array contacts;
  if (p)
    for (const auto& c : p->contacts) contacts.push_back(json::object{{"channel", c.channel}, {"address", c.address}});
  o["contacts"] = std::move(contacts);
  return o;
}

json::value override_json(const oncall::Override* o) {
  if (!o) return nullptr;
  json::object out{{"id", o->id == 0 ? json::value(nullptr) : json::value(o->id)},
                   {"source", o->id == 0 ? "config" : "api"},
                   {"person", o->person},
                   {"start", format_time(o->from_ms)},
                   {"end", format_time(o->to_ms)},
                   {"reason", o->reason}};
  return out;
}

// The people a group's warnings may concern: members, lead, manager and
// roster participants.
std::set<std::string> people_of(const oncall::Snapshot& d, const std::string& group) {
  std::set<std::string> out;
  if (const oncall::Group* g = d.group(group)) {
    out.insert(g->members.begin(), g->members.end());
    out.insert(g->lead);
    out.insert(g->manager);
  }
  for (const auto& r : d.rosters())
    if (r.group == group)
      for (const auto& rotation : r.rotations) out.insert(rotation.participants.begin(), rotation.participants.end());
  return out;
}

json::array warnings_json(const oncall::Snapshot& d, const std::string& group, std::int64_t from_ms) {
  std::set<std::string> people = group.empty() ? std::set<std::string>{} : people_of(d, group);
  json::array out;
  for (const auto& w : d.warnings(from_ms)) {
    if (!group.empty() && w.group != group && !(w.group.empty() && people.contains(w.person))) continue;
    json::object o{{"kind", w.kind}, {"message", w.message}};
    if (!w.group.empty()) o["group"] = w.group;
    if (!w.person.empty()) o["person"] = w.person;
    if (w.kind == "gap") {
      o["from"] = format_time(w.from_ms);
      o["to"] = format_time(w.to_ms);
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> groups_of(const oncall::Snapshot& d, const std::string& group) {
  if (!group.empty()) return {group};
  std::vector<std::string> out;
  for (const auto& g : d.groups()) out.push_back(g.id);
  return out;
}

constexpr oncall::Layer layers[] = {oncall::Layer::primary, oncall::Layer::secondary};

}  // namespace

// ---- directory ------------------------------------------------------------------------------

namespace {

void warn_problems(const oncall::RosterData& data, std::string_view when) {
  for (const auto& p : oncall::check(data))
    log()->warn("oncall: {}: {} {}: {}: {} (the entries changed through the API stay in force)", when, p.kind, p.id,
                p.field, p.message);
}

}  // namespace

OncallDirectory::OncallDirectory(Snapshot base, std::vector<oncall::StoredOverride> stored, oncall::Overlay overlay,
                                 const Clock* clock)
    : base_(std::move(base)), overlay_(std::move(overlay)), stored_(std::move(stored)), clock_(clock) {
  if (!overlay_.empty()) warn_problems(laid_locked(overlay_), "start");
  current_ = merge_locked();
}

oncall::RosterData OncallDirectory::laid_locked(const oncall::Overlay& overlay) const {
  oncall::RosterData data;
  if (base_) data = {base_->people(), base_->groups(), base_->rosters()};
  return oncall::with_overlay(std::move(data), overlay);
}

OncallDirectory::Snapshot OncallDirectory::merge_locked() const {
  std::vector<oncall::StoredOverride> in_force;
  const std::vector<oncall::StoredOverride>* overrides = &stored_;
  if (clock_ != nullptr) {
    const std::int64_t now = clock_->wall_ms();
    std::copy_if(stored_.begin(), stored_.end(), std::back_inserter(in_force), [now](const auto& o) { return o.to_ms > now; });
    overrides = &in_force;
  }
  if (overlay_.empty()) return base_ ? oncall::with_overrides(*base_, *overrides) : nullptr;
  oncall::Snapshot laid(laid_locked(overlay_));
  return oncall::with_overrides(laid, *overrides);
}

oncall::Overlay OncallDirectory::overlay() const {
  std::lock_guard lock(mutex_);
  return overlay_;
}

bool OncallDirectory::configured_person(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return base_ && base_->person(id);
}

bool OncallDirectory::configured_group(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return base_ && base_->group(id);
}

std::vector<oncall::Problem> OncallDirectory::problems_locked(const oncall::Overlay& overlay,
                                                              std::int64_t now_ms) const {
  oncall::RosterData data = laid_locked(overlay);
  std::vector<oncall::Problem> out = oncall::check(data);
  auto has = [](const auto& items, const std::string& id) {
    return std::any_of(items.begin(), items.end(), [&](const auto& x) { return x.id == id; });
  };
  for (const auto& o : stored_) {
    if (o.to_ms <= now_ms) continue;
    std::string id = std::to_string(o.id);
    if (!has(data.groups, o.group))
      out.push_back({"override", id, "group", "unknown group '" + o.group + "': not in oncall.groups[]"});
    if (!has(data.people, o.person))
      out.push_back({"override", id, "person", "unknown person '" + o.person + "': not in oncall.users[]"});
  }
  return out;
}

std::vector<oncall::Problem> OncallDirectory::change_overlay(oncall::Overlay next, std::int64_t now_ms,
                                                             const std::function<void()>& commit) {
  std::lock_guard lock(mutex_);
  std::vector<oncall::Problem> before = problems_locked(overlay_, now_ms);
  std::vector<oncall::Problem> added = problems_locked(next, now_ms);
  std::erase_if(added,
                [&](const oncall::Problem& p) { return std::find(before.begin(), before.end(), p) != before.end(); });
  if (!added.empty()) return added;
  commit();
  overlay_ = std::move(next);
  current_ = merge_locked();
  if (publish_) publish_(current_);
  return {};
}

OncallDirectory::Snapshot OncallDirectory::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::vector<oncall::StoredOverride> OncallDirectory::stored() const {
  std::lock_guard lock(mutex_);
  return stored_;
}

void OncallDirectory::on_change(Publish publish) {
  std::lock_guard lock(mutex_);
  publish_ = std::move(publish);
}

void OncallDirectory::set_overrides(std::vector<oncall::StoredOverride> stored) {
  std::lock_guard lock(mutex_);
  stored_ = std::move(stored);
  current_ = merge_locked();
  if (publish_) publish_(current_);
}

void OncallDirectory::rebase(Snapshot base, const std::function<void(Snapshot)>& apply) {
  std::lock_guard lock(mutex_);
  base_ = std::move(base);
  if (!overlay_.empty()) warn_problems(laid_locked(overlay_), "reload");
  current_ = merge_locked();
  apply(current_);
}

// ---- request bodies ---------------------------------------------------------------------------

std::variant<oncall::StoredOverride, FieldError> parse_override(const std::string& body,
                                                                const oncall::Snapshot* directory,
                                                                std::int64_t now_ms, const OncallLimits& limits) {
  if (!directory) return FieldError{"group", "no on-call directory is configured (configuration section oncall)"};
  auto parsed = string_object(body, {"group", "layer", "person", "start", "end", "reason"});
  if (auto* e = std::get_if<FieldError>(&parsed)) return *e;
  const json::object& o = std::get<json::object>(parsed);
  oncall::StoredOverride out;
  out.group = member(o, "group");
  if (out.group.empty()) return FieldError{"group", "group is required"};
  if (!directory->group(out.group))
    return FieldError{"group", "unknown group '" + valid_utf8(out.group) + "': not in oncall.groups[]"};
  std::string layer = o.contains("layer") ? member(o, "layer") : "primary";
  auto parsed_layer = oncall::parse_layer(layer);
  if (!parsed_layer) return FieldError{"layer", "layer must be primary or secondary"};
  out.layer = *parsed_layer;
  out.person = member(o, "person");
  if (out.person.empty()) return FieldError{"person", "person is required"};
  if (!directory->person(out.person))
    return FieldError{"person", "unknown person '" + valid_utf8(out.person) + "': not in oncall.users[]"};
  for (auto [key, bound] : {std::pair{"start", &out.from_ms}, std::pair{"end", &out.to_ms}}) {
    std::string text = member(o, key);
    if (text.empty()) return FieldError{key, std::string(key) + " is required"};
    auto t = read_time(text);
    if (!t)
      return FieldError{key, std::string(key) + " must be an RFC 3339 time, e.g. 2026-12-24T18:00:00+01:00"};
    *bound = *t;
  }
  if (out.to_ms <= out.from_ms) return FieldError{"end", "end must be after start"};
  if (out.to_ms <= now_ms) return FieldError{"end", "end must be in the future"};
  if (out.to_ms - out.from_ms > limits.max_override_ms)
    return FieldError{"end", "an override lasts at most " + std::to_string(limits.max_override_ms / day_ms) + " days"};
  out.reason = member(o, "reason");
  if (out.reason.empty()) return FieldError{"reason", "reason is required (who asked, why)"};
  if (auto e = check_text(out.reason, "reason", limits.max_reason)) return *e;
  return out;
}

std::variant<oncall::DutyNote, FieldError> parse_duty_note(const std::string& body, const oncall::Snapshot* directory,
                                                           const OncallLimits& limits) {
  if (!directory) return FieldError{"group", "no on-call directory is configured (configuration section oncall)"};
  auto parsed = string_object(body, {"group", "text"});
  if (auto* e = std::get_if<FieldError>(&parsed)) return *e;
  const json::object& o = std::get<json::object>(parsed);
  oncall::DutyNote note;
  note.group = member(o, "group");
  if (note.group.empty()) return FieldError{"group", "group is required"};
  if (!directory->group(note.group))
    return FieldError{"group", "unknown group '" + valid_utf8(note.group) + "': not in oncall.groups[]"};
  note.text = member(o, "text");
  if (note.text.find_first_not_of(" \t\r\n") == std::string::npos) return FieldError{"text", "text is required"};
  if (auto e = check_text(note.text, "text", limits.max_note)) return *e;
  return note;
}

// ---- answers ----------------------------------------------------------------------------------

json::value on_call_json(const oncall::Snapshot& d, const std::string& group, std::int64_t at_ms) {
  json::array groups;
  for (const auto& id : groups_of(d, group)) {
    const oncall::Group* g = d.group(id);
    json::object o{{"group", id}, {"name", g ? g->name : id}};
    o["lead"] = g && !g->lead.empty() ? json::value(person_json(d, g->lead)) : json::value(nullptr);
    o["manager"] = g && !g->manager.empty() ? json::value(person_json(d, g->manager)) : json::value(nullptr);
    json::array out_layers;
    for (oncall::Layer layer : layers) {
      json::array on_duty;
      std::vector<oncall::Shift> shifts = d.shifts_at(id, layer, at_ms);
      for (const auto& person : d.on_call(id, layer, at_ms)) {
        json::object p = person_json(d, person);
        auto s = std::find_if(shifts.begin(), shifts.end(), [&](const oncall::Shift& x) { return x.person == person; });
        p["shift_start"] = s == shifts.end() ? json::value(nullptr) : time_or_null(s->start_ms);
        p["shift_end"] = s == shifts.end() ? json::value(nullptr) : time_or_null(s->end_ms);
        on_duty.push_back(std::move(p));
      }
      out_layers.push_back(json::object{{"layer", oncall::to_string(layer)},
                                        {"on_duty", std::move(on_duty)},
                                        {"override", override_json(d.override_at(id, layer, at_ms))}});
    }
    o["layers"] = std::move(out_layers);
    groups.push_back(std::move(o));
  }
  return json::object{{"at", format_time(at_ms)},
                      {"groups", std::move(groups)},
                      {"warnings", warnings_json(d, group, at_ms)}};
}

json::value calendar_json(const oncall::Snapshot& d, const std::string& group, std::int64_t from_ms, int days) {
  json::array groups;
  for (const auto& id : groups_of(d, group)) {
    std::vector<oncall::Shift> shifts = d.calendar(id, from_ms, days);
    json::array out_layers;
    for (oncall::Layer layer : layers) {
      json::array items;
      for (const auto& s : shifts) {
        if (s.layer != layer) continue;
        const oncall::Person* p = d.person(s.person);
        const oncall::Override* o = d.override_at(id, layer, s.start_ms);
        items.push_back(json::object{{"person", s.person},
                                     {"name", p ? p->name : s.person},
                                     {"start", format_time(s.start_ms)},
                                     {"end", format_time(s.end_ms)},
                                     {"override", o != nullptr && o->person == s.person}});
      }
      out_layers.push_back(json::object{{"layer", oncall::to_string(layer)}, {"shifts", std::move(items)}});
    }
    groups.push_back(json::object{{"group", id}, {"layers", std::move(out_layers)}});
  }
  return json::object{{"from", format_time(from_ms)},
                      {"to", format_time(from_ms + days * day_ms)},
                      {"days", days},
                      {"groups", std::move(groups)},
                      {"warnings", warnings_json(d, group, from_ms)}};
}

json::value to_json(const oncall::StoredOverride& o) {
  return json::object{{"id", o.id},
                      {"source", "api"},
                      {"group", o.group},
                      {"layer", oncall::to_string(o.layer)},
                      {"person", o.person},
                      {"start", format_time(o.from_ms)},
                      {"end", format_time(o.to_ms)},
                      {"reason", valid_utf8(o.reason)},
                      {"created_by", o.created_by},
                      {"created_at", time_or_null(o.created_at_ms)}};
}

json::value to_json(const oncall::DutyNote& n) {
  return json::object{{"id", n.id},
                      {"group", n.group},
                      {"author", n.author},
                      {"text", valid_utf8(n.text)},
                      {"at", format_time(n.at_ms)}};
}

// ---- routes -----------------------------------------------------------------------------------

Counter& oncall_rejected_total(StatsRegistry& stats, std::string_view reason) {
  return stats.counter("tocsin_oncall_rejected_total", "On-call changes through the API that were refused, by reason",
                       {{"reason", std::string(reason)}});
}

OncallRoutes::OncallRoutes(Router& router, OncallDirectory& directory, StoreReaders::OpenStore open_store,
                           const Clock& clock, StatsRegistry& stats, OncallLimits limits)
    : directory_(directory), clock_(clock), stats_(stats), limits_(limits), store_(std::move(open_store), 1) {
  using http::verb;
  for (auto reason : oncall_rejection_reasons) oncall_rejected_total(stats_, reason);
  auto bind = [this](auto method) {
    return [this, method](ApiRequest r, Respond respond) { (this->*method)(std::move(r), std::move(respond)); };
  };
  router.add(verb::get, "/api/v1/oncall", Role::viewer, bind(&OncallRoutes::on_call));
  router.add(verb::get, "/api/v1/oncall/calendar", Role::viewer, bind(&OncallRoutes::calendar));
  router.add(verb::get, "/api/v1/oncall/overrides", Role::viewer, bind(&OncallRoutes::list_overrides));
  router.add(verb::post, "/api/v1/oncall/overrides", Role::operator_, bind(&OncallRoutes::add_override));
  router.add(verb::delete_, "/api/v1/oncall/overrides/{id}", Role::operator_, bind(&OncallRoutes::remove_override));
  router.add(verb::get, "/api/v1/oncall/log", Role::viewer, bind(&OncallRoutes::list_notes));
  router.add(verb::post, "/api/v1/oncall/log", Role::operator_, bind(&OncallRoutes::add_note));
}

namespace {

// True for no group or a group of the directory; else answers 404 and is false.
bool known_group(const oncall::Snapshot* d, const std::string& group, const Respond& respond) {
  if (group.empty() || (d && d->group(group))) return true;
  respond(error_response(http::status::not_found, "unknown group '" + valid_utf8(group) + "': not in oncall.groups[]",
                         "group"));
  return false;
}

Response no_directory(std::int64_t at_ms) {
  return json_ok(json::object{{"at", format_time(at_ms)}, {"groups", json::array{}}, {"warnings", json::array{}}});
}

}  // namespace

void OncallRoutes::on_call(ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {"group", "at"})) return respond(field_error(*e));
  std::int64_t at = clock_.wall_ms();
  if (auto e = read_time_parameter(request, "at", at)) return respond(field_error(*e));
  std::string group = request.query_value("group") ? *request.query_value("group") : "";
  auto d = directory_.current();
  if (!d) return respond(no_directory(at));
  if (!known_group(d.get(), group, respond)) return;
  respond(json_ok(on_call_json(*d, group, at)));
}

void OncallRoutes::calendar(ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {"group", "days", "from"})) return respond(field_error(*e));
  std::int64_t from = clock_.wall_ms();
  if (auto e = read_time_parameter(request, "from", from)) return respond(field_error(*e));
  int days = limits_.default_days;
  if (const std::string* v = request.query_value("days")) {
    auto n = parse_int(*v, 1, limits_.max_days);
    if (!n)
      return respond(field_error({"days", "days must be an integer from 1 to " + std::to_string(limits_.max_days)}));
    days = static_cast<int>(*n);
  }
  std::string group = request.query_value("group") ? *request.query_value("group") : "";
  auto d = directory_.current();
  if (!d) return respond(no_directory(from));
  if (!known_group(d.get(), group, respond)) return;
  respond(json_ok(calendar_json(*d, group, from, days)));
}

Response OncallRoutes::refuse(const FieldError& e) const {
  oncall_rejected_total(stats_, e.reason).inc();
  return field_error(e);
}

void OncallRoutes::add_override(ApiRequest request, Respond respond) {
  auto d = directory_.current();
  std::int64_t now = clock_.wall_ms();
  auto parsed = parse_override(request.http.body(), d.get(), now, limits_);
  if (auto* e = std::get_if<FieldError>(&parsed)) return respond(refuse(*e));
  oncall::StoredOverride o = std::get<oncall::StoredOverride>(std::move(parsed));
  o.created_by = request.actor;
  o.created_at_ms = now;
  store_.run(
      [this, o = std::move(o), now](Store& store) mutable {
        std::vector<oncall::StoredOverride> all = store.overrides();
        auto active = std::count_if(all.begin(), all.end(), [&](const auto& x) { return x.to_ms > now; });
        if (static_cast<std::size_t>(active) >= limits_.max_active_overrides) {
          oncall_rejected_total(stats_, "too_many").inc();
          return error_response(http::status::conflict, "too many active overrides (at most " +
                                                            std::to_string(limits_.max_active_overrides) + ")");
        }
        o.id = store.add_override(o);
        directory_.set_overrides(store.overrides());
        log()->info("oncall: override added id={} group={} layer={} person={} by={}", o.id, o.group,
                    oncall::to_string(o.layer), o.person, o.created_by);
        return json_ok(to_json(o), http::status::created);
      },
      std::move(respond));
}

void OncallRoutes::list_overrides(ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {"group", "past"})) return respond(field_error(*e));
  std::string group = request.query_value("group") ? *request.query_value("group") : "";
  const std::string* past = request.query_value("past");
  if (past && *past != "true" && *past != "false")
    return respond(field_error({"past", "past must be true or false"}));
  bool with_past = past && *past == "true";
  std::int64_t now = clock_.wall_ms();
  auto d = directory_.current();
  if (d && !known_group(d.get(), group, respond)) return;
  store_.run(
      [d, group, with_past, now](Store& store) {
        json::array items;
        if (d) {
          for (const auto& r : d->rosters()) {
            if (!group.empty() && r.group != group) continue;
            for (const auto& o : r.overrides) {
              if (o.id != 0 || (!with_past && o.to_ms <= now)) continue;
              items.push_back(json::object{{"id", nullptr},
                                           {"source", "config"},
                                           {"group", r.group},
                                           {"layer", oncall::to_string(o.layer)},
                                           {"person", o.person},
                                           {"start", format_time(o.from_ms)},
                                           {"end", format_time(o.to_ms)},
                                           {"reason", o.reason}});
            }
          }
        }
        for (const auto& o : store.overrides())
          if ((group.empty() || o.group == group) && (with_past || o.to_ms > now)) items.push_back(to_json(o));
        return json_ok(json::object{{"overrides", std::move(items)}});
      },
      std::move(respond));
}

void OncallRoutes::remove_override(ApiRequest request, Respond respond) {
  auto id = parse_int(request.param("id"), 1, std::numeric_limits<std::int64_t>::max());
  if (!id) return respond(error_response(http::status::bad_request, "override id must be a positive integer", "id"));
  std::string actor = request.actor;
  store_.run(
      [this, id = *id, actor](Store& store) {
        if (!store.remove_override(id))
          return error_response(http::status::not_found, "override " + std::to_string(id) + " does not exist");
        directory_.set_overrides(store.overrides());
        log()->info("oncall: override removed id={} by={}", id, actor);
        return json_ok(json::object{{"deleted", id}});
      },
      std::move(respond));
}

void OncallRoutes::add_note(ApiRequest request, Respond respond) {
  auto d = directory_.current();
  auto parsed = parse_duty_note(request.http.body(), d.get(), limits_);
  if (auto* e = std::get_if<FieldError>(&parsed)) return respond(refuse(*e));
  oncall::DutyNote note = std::get<oncall::DutyNote>(std::move(parsed));
  note.author = request.actor;
  note.at_ms = clock_.wall_ms();
  store_.run(
      [note = std::move(note), keep = limits_.notes_per_group](Store& store) mutable {
        note.id = store.add_duty_note(note, keep);
        return json_ok(to_json(note), http::status::created);
      },
      std::move(respond));
}

void OncallRoutes::list_notes(ApiRequest request, Respond respond) {
  if (auto e = unknown_parameter(request, {"group", "since", "limit"})) return respond(field_error(*e));
  std::int64_t since = 0;
  if (auto e = read_time_parameter(request, "since", since)) return respond(field_error(*e));
  std::int64_t limit = 100;
  if (const std::string* v = request.query_value("limit")) {
    auto n = parse_int(*v, 1, limits_.max_list);
    if (!n)
      return respond(field_error({"limit", "limit must be an integer from 1 to " + std::to_string(limits_.max_list)}));
    limit = *n;
  }
  std::string group = request.query_value("group") ? *request.query_value("group") : "";
  store_.run(
      [group, since, limit](Store& store) {
        json::array items;
        for (const auto& n : store.duty_notes(group, since, limit)) items.push_back(to_json(n));
        return json_ok(json::object{{"notes", std::move(items)}});
      },
      std::move(respond));
}

}  // namespace tocsin::api
