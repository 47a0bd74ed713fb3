// Resource → CI, and the CMDB gap list for resources that match none.
#include "correlator/enrichment.hpp"

namespace tocsin {

Enrichment enrich(const cmdb::Cmdb* db, std::string_view resource) {
  if (!db || resource.empty()) return {};
  cmdb::Match m = db->resolve(resource);
  if (!m) return {};
  return {m.ci, db->index_of(*m.ci)};
}

void apply_enrichment(const Enrichment& e, const std::shared_ptr<const cmdb::Cmdb>& db, Alert& alert) {
  if (!e) return;
  alert.ci = e.ci->id;
  alert.criticality = std::string(cmdb::to_string(e.ci->criticality));
  alert.cmdb = CiFields(std::shared_ptr<const cmdb::Ci>(db, e.ci));
}

void GapTracker::record(std::string_view resource, std::string_view source, std::int64_t now_ms) {
  auto it = index_.find(resource);
  if (it == index_.end()) {
    index_.emplace(std::string(resource), pending_.size());
    pending_.push_back({std::string(resource), std::string(source), 1, now_ms, now_ms});
    return;
  }
  CmdbGap& g = pending_[it->second];
  g.count += 1;
  g.last_seen_ms = now_ms;
  g.source = source;
}

void GapTracker::flush(ChangeSet& changes) {
  for (auto& g : pending_) changes.cmdb_gaps.push_back(std::move(g));
  pending_.clear();
  index_.clear();
}

}  // namespace tocsin
