// Laying the API's CIs over the files' CIs.
#include "correlator/cmdb/overlay.hpp"

namespace tocsin::cmdb {

CmdbDraft overlay_draft(const Cmdb* files, const Overlay& overlay) {
  CmdbDraft out;
  CmdbDraft base = files ? files->draft() : CmdbDraft{};
  out.files = base.files;
  const std::uint32_t api = out.file_id("api");
  auto overlaid = [&](const std::string& id) { return overlay.find(id) != overlay.end(); };
  for (std::size_t i = 0; i < base.cis.size(); ++i) {
    if (overlaid(base.cis[i].id)) continue;
    out.cis.push_back(std::move(base.cis[i]));
    out.ci_origins.push_back(base.ci_origins[i]);
  }
  for (std::size_t r = 0; r < base.cidr_rules.size(); ++r) {
    if (overlaid(base.cidr_rules[r].ci)) continue;
    out.cidr_rules.push_back(std::move(base.cidr_rules[r]));
    out.rule_origins.push_back(base.rule_origins[r]);
  }
  for (const auto& [id, entry] : overlay) {
    if (!entry.ci) continue;
    for (const Cidr& c : entry.ci->ranges) {
      out.cidr_rules.push_back({c, id});
      out.rule_origins.push_back({api, 0});
    }
    out.cis.push_back(entry.ci->ci);
    out.ci_origins.push_back({api, 0});
  }
  return out;
}

std::shared_ptr<const Cmdb> build_with_overlay(const Cmdb* files, const Overlay& overlay, config::Errors& errors) {
  return Cmdb::build(overlay_draft(files, overlay), errors);
}

bool is_conflict(const config::Errors& errors) {
  for (const auto& m : errors.messages())
    if (m.find("duplicate") != std::string::npos || m.find("is already a rule") != std::string::npos) return true;
  return false;
}

}  // namespace tocsin::cmdb
