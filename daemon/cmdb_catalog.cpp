// Files ⊕ API overlay: validation, durable overlay and history, publication.
#include "daemon/cmdb_catalog.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "correlator/cmdb/ci_json.hpp"
#include "daemon/json.hpp"

namespace tocsin {

namespace json = boost::json;

namespace {

std::shared_ptr<spdlog::logger> log() {
  auto l = spdlog::get("tocsind");
  return l ? l : spdlog::default_logger();
}

// Reloads that rewrite most of a large CMDB would otherwise write a history
// row per CI in one transaction.
constexpr std::size_t max_file_history = 10'000;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Errors of a refused API change, without the "api: " origin of the CI the
// request is about (the request is obviously the API).
std::string joined(const config::Errors& errors) {
  std::string out;
  for (const auto& m : errors.messages()) {
    std::string_view text = m;
    if (text.starts_with("api: ")) text.remove_prefix(5);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

std::string field_of(const std::string& problem) {
  auto colon = problem.find(':');
  std::string field = problem.substr(0, colon);
  return cmdb::field_named(field) ? field : std::string{};
}

}  // namespace

CmdbCatalog::CmdbCatalog(std::unique_ptr<Store> store, const Clock& clock, StatsRegistry& stats)
    : store_(std::move(store)), clock_(clock), stats_(stats) {}

std::shared_ptr<const cmdb::Cmdb> CmdbCatalog::start(std::shared_ptr<const cmdb::Cmdb> files) {
  std::lock_guard lock(mutex_);
  files_ = std::move(files);
  overlay_.clear();
  for (const CiOverride& row : store_->cmdb_overlay()) {
    cmdb::OverlayCi entry{std::nullopt, row.at_ms, row.actor};
    if (!row.deleted) {
      boost::system::error_code ec;
      json::value v = json::parse(row.ci_json, ec);
      cmdb::CiDraft draft;
      std::vector<std::string> problems;
      if (ec || !v.is_object())
        problems.push_back("not a JSON object");
      else
        problems = cmdb::ci_from_json(v.get_object(), draft);
      if (!problems.empty()) {
        log()->error("CMDB overlay: stored CI {} cannot be read, skipped: {}", row.id, problems.front());
        continue;
      }
      entry.ci = std::move(draft);
    }
    overlay_.emplace(row.id, std::move(entry));
  }
  current_ = files_;
  if (overlay_.empty()) return current_;
  config::Errors errors;
  if (auto combined = cmdb::build_with_overlay(files_.get(), overlay_, errors)) {
    current_ = std::move(combined);
    log()->info("CMDB overlay applied: {} CI(s) changed through the API, {} CIs in all", overlay_.size(),
                current_->size());
  } else {
    for (const auto& e : errors.messages()) log()->error("CMDB overlay: {}", e);
    log()->error(
        "CMDB overlay: the {} CI(s) changed through the API no longer fit the files; running on the files "
        "alone until the conflicts are fixed",
        overlay_.size());
  }
  return current_;
}

bool CmdbCatalog::reload(std::shared_ptr<const cmdb::Cmdb> files, config::Errors& errors) {
  std::lock_guard lock(mutex_);
  std::shared_ptr<const cmdb::Cmdb> combined = files;
  if (!overlay_.empty()) {
    combined = cmdb::build_with_overlay(files.get(), overlay_, errors);
    if (!combined) return false;
  }
  std::int64_t now = clock_.wall_ms();
  CmdbChange change;
  record_file_changes(files_.get(), files.get(), now, change);
  try {
    store_->commit_cmdb(change);
  } catch (const std::exception& e) {
    log()->warn("CMDB history of the reload not recorded: {}", e.what());
  }
  files_ = std::move(files);
  current_ = std::move(combined);
  if (publish_) publish_(current_);
  return true;
}

void CmdbCatalog::record_file_changes(const cmdb::Cmdb* before, const cmdb::Cmdb* after, std::int64_t now,
                                      CmdbChange& change) {
  cmdb::CmdbDiff d;
  if (before && after) {
    d = cmdb::diff(*before, *after);
  } else if (after) {
    for (const auto& ci : after->cis()) d.added.push_back(ci.id);
  } else if (before) {
    for (const auto& ci : before->cis()) d.removed.push_back(ci.id);
  }
  std::size_t total = d.added.size() + d.removed.size() + d.changed.size();
  auto add = [&](const std::string& id, const char* action) {
    if (change.history.size() >= max_file_history) return;
    const cmdb::Ci* b = before ? before->find_id(id) : nullptr;
    const cmdb::Ci* a = after ? after->find_id(id) : nullptr;
    json::object bj, aj;
    if (b) bj = cmdb::ci_to_json(*b);
    if (a) aj = cmdb::ci_to_json(*a);
    change.history.push_back({0, id, now, "config", "file", action,
                              json::serialize(cmdb::ci_field_diff(b ? &bj : nullptr, a ? &aj : nullptr))});
  };
  for (const auto& id : d.added) add(id, "added");
  for (const auto& c : d.changed) add(c.id, "changed");
  for (const auto& id : d.removed) add(id, "removed");
  if (total > 0)
    log()->info("CMDB reloaded: {} CIs, {} added, {} removed, {} changed", after ? after->size() : 0, d.added.size(),
                d.removed.size(), d.changed.size());
  if (total > change.history.size())
    log()->warn("CMDB reload: history recorded for {} of {} changed CIs", change.history.size(), total);
}

std::shared_ptr<const cmdb::Cmdb> CmdbCatalog::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

CatalogResult CmdbCatalog::invalid_json(const std::string& why) const {
  return refuse(400, "invalid JSON body: " + why, "invalid_body");
}

CatalogResult CmdbCatalog::refuse(int status, std::string error, std::string reason, std::string field) const {
  stats_
      .counter("tocsin_cmdb_api_rejected_total", "CMDB changes through the API that were refused", {{"reason", reason}})
      .inc();
  return {status, nullptr, std::move(error), std::move(field)};
}

json::value CmdbCatalog::describe(const cmdb::Cmdb& db, const cmdb::Ci& ci) const {
  json::object o = cmdb::ci_to_json(ci, db.ranges_of(ci.id));
  std::string origin = db.where(ci);
  o["source"] = origin == "api" ? "api" : "file";
  o["origin"] = origin;
  if (auto it = overlay_.find(ci.id); it != overlay_.end()) {
    o["updated_at"] = api::format_time(it->second.at_ms);
    o["updated_by"] = it->second.actor;
  }
  return o;
}

CatalogResult CmdbCatalog::list(const CiQuery& q) const {
  auto lower = [](std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  };
  const std::string needle = lower(q.text);
  auto contains = [&](const std::string& hay) {
    return needle.empty() || lower(hay).find(needle) != std::string::npos;
  };
  std::lock_guard lock(mutex_);
  json::array items;
  std::int64_t matched = 0;
  if (current_) {
    for (const cmdb::Ci& ci : current_->cis()) {
      if (!q.type.empty() && ci.type != q.type) continue;
      bool hit = contains(ci.id) || contains(ci.name) || contains(ci.fqdn);
      for (const auto& a : ci.aliases) hit = hit || contains(a);
      if (!hit) continue;
      ++matched;
      if (static_cast<std::int64_t>(items.size()) < q.limit) items.push_back(describe(*current_, ci));
    }
  }
  return {200, json::object{{"cis", std::move(items)}, {"matched", matched}}, {}, {}};
}

CatalogResult CmdbCatalog::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const cmdb::Ci* ci = current_ ? current_->find_id(id) : nullptr;
  if (!ci) return {404, nullptr, "CI " + quoted(id) + " does not exist", "id"};
  return {200, describe(*current_, *ci), {}, {}};
}

std::optional<CatalogResult> CmdbCatalog::read_body(const json::value& body, cmdb::CiDraft& out) const {
  if (!body.is_object()) return refuse(400, "body must be a JSON object (a CI)", "invalid_body");
  std::vector<std::string> problems = cmdb::ci_from_json(body.get_object(), out);
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
    return refuse(400, text, "invalid_ci", field_of(problems.front()));
  }
  if (std::string problem = cmdb::check_limits(out); !problem.empty())
    return refuse(400, problem, "too_large", field_of(problem));
  return std::nullopt;
}

CatalogResult CmdbCatalog::create(const json::value& body, const std::string& actor) {
  cmdb::CiDraft draft;
  if (auto refused = read_body(body, draft)) return *refused;
  std::lock_guard lock(mutex_);
  std::string id = draft.ci.id;
  if (current_ && current_->find_id(id))
    return refuse(409, "CI " + quoted(id) + " already exists (PUT /api/v1/cmdb/cis/" + id + " replaces it)", "conflict",
                  "id");
  return apply(id, cmdb::OverlayCi{std::move(draft), clock_.wall_ms(), actor}, "created", actor);
}

CatalogResult CmdbCatalog::replace(const std::string& id, const json::value& body, const std::string& actor) {
  json::value with_id = body;
  if (with_id.is_object() && !with_id.get_object().contains("id")) with_id.get_object()["id"] = id;
  cmdb::CiDraft draft;
  if (auto refused = read_body(with_id, draft)) return *refused;
  if (draft.ci.id != id)
    return refuse(400, "id " + quoted(draft.ci.id) + " in the body differs from " + quoted(id) + " in the path",
                  "invalid_ci", "id");
  std::lock_guard lock(mutex_);
  if (!current_ || !current_->find_id(id))
    return refuse(404, "CI " + quoted(id) + " does not exist (POST /api/v1/cmdb/cis creates it)", "not_found", "id");
  return apply(id, cmdb::OverlayCi{std::move(draft), clock_.wall_ms(), actor}, "replaced", actor);
}

CatalogResult CmdbCatalog::erase(const std::string& id, const std::string& actor) {
  std::lock_guard lock(mutex_);
  const cmdb::Ci* ci = current_ ? current_->find_id(id) : nullptr;
  if (!ci) return refuse(404, "CI " + quoted(id) + " does not exist", "not_found", "id");
  auto below = current_->downstream(current_->index_of(*ci));
  if (!below.empty()) {
    std::string names;
    for (std::size_t i = 0; i < below.size() && i < 5; ++i) names += (i ? ", " : "") + current_->cis()[below[i]].id;
    if (below.size() > 5) names += ", ...";
    return refuse(409,
                  "CI " + quoted(id) + " cannot be removed: " + std::to_string(below.size()) + " CI(s) depend on it (" +
                      names + ")",
                  "conflict", "id");
  }
  // A file CI stays hidden by a removal row; a CI made through the API just goes.
  bool in_files = files_ && files_->find_id(id);
  std::optional<cmdb::OverlayCi> entry;
  if (in_files) entry = cmdb::OverlayCi{std::nullopt, clock_.wall_ms(), actor};
  return apply(id, std::move(entry), "deleted", actor);
}

CatalogResult CmdbCatalog::apply(const std::string& id, std::optional<cmdb::OverlayCi> entry, const std::string& action,
                                 const std::string& actor) {
  cmdb::Overlay next = overlay_;
  if (entry)
    next.insert_or_assign(id, *entry);
  else
    next.erase(id);
  config::Errors errors;
  std::shared_ptr<const cmdb::Cmdb> snapshot = cmdb::build_with_overlay(files_.get(), next, errors);
  if (!snapshot) {
    bool conflict = cmdb::is_conflict(errors);
    return refuse(conflict ? 409 : 400, joined(errors), conflict ? "conflict" : "invalid_ci");
  }
  std::int64_t now = clock_.wall_ms();
  const cmdb::Ci* old_ci = current_ ? current_->find_id(id) : nullptr;
  const cmdb::Ci* new_ci = snapshot->find_id(id);
  json::object before, after;
  if (old_ci) before = cmdb::ci_to_json(*old_ci, current_->ranges_of(id));
  if (new_ci) after = cmdb::ci_to_json(*new_ci, snapshot->ranges_of(id));
  CmdbChange change;
  if (entry)
    change.upserts.push_back({id, !entry->ci, entry->ci ? json::serialize(after) : "", now, actor});
  else
    change.erased.push_back(id);
  change.history.push_back(
      {0, id, now, actor, "api", action,
       json::serialize(cmdb::ci_field_diff(old_ci ? &before : nullptr, new_ci ? &after : nullptr))});
  try {
    store_->commit_cmdb(change);
  } catch (const std::exception& e) {
    log()->error("CMDB change of CI {} not stored: {}", id, e.what());
    return refuse(503, "store unavailable: the change was not made", "store");
  }
  overlay_ = std::move(next);
  current_ = std::move(snapshot);
  if (publish_) publish_(current_);
  stats_
      .counter("tocsin_cmdb_api_changes_total", "CIs created, replaced or deleted through the API",
               {{"action", action}})
      .inc();
  log()->info("CMDB: CI {} {} by {}", id, action, actor);
  if (!new_ci) return {200, json::object{{"id", id}, {"deleted", true}}, {}, {}};
  return {action == "created" ? 201 : 200, describe(*current_, *new_ci), {}, {}};
}

CatalogResult CmdbCatalog::history(const std::string& id, std::int64_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<CiHistoryEntry> entries = store_->ci_history(id, limit);
  if (entries.empty() && !(current_ && current_->find_id(id)))
    return {404, nullptr, "CI " + quoted(id) + " does not exist and has no history", "id"};
  json::array items;
  for (const auto& h : entries) items.push_back(api::to_json(h));
  return {200, json::object{{"ci", id}, {"history", std::move(items)}}, {}, {}};
}

}  // namespace tocsin
