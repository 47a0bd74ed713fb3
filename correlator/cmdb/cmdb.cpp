// Building, validating and querying a CMDB snapshot.
#include "correlator/cmdb/cmdb.hpp"

#include <algorithm>
#include <map>

namespace tocsin::cmdb {

namespace {

using V6 = std::array<std::uint8_t, 16>;

std::uint32_t v4_mask(unsigned bits) { return bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits); }

V6 masked(const V6& a, unsigned bits) {
  V6 out{};
  for (unsigned i = 0; i < 16; ++i) {
    unsigned keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? bits - 8 * i : 0);
    out[i] = keep ? a[i] & static_cast<std::uint8_t>(0xff << (8 - keep)) : 0;
  }
  return out;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string_view to_string(MatchedBy m) {
  switch (m) {
    case MatchedBy::none: return "none";
    case MatchedBy::name: return "name";
    case MatchedBy::fqdn: return "fqdn";
    case MatchedBy::alias: return "alias";
    case MatchedBy::address: return "address";
    case MatchedBy::cidr: return "cidr";
    case MatchedBy::short_name: return "short_name";
  }
  return "none";
}

// Validation happens while the indexes are filled: a key that is already
// taken by another CI is a duplicate.
struct Cmdb::Builder {
  Cmdb& db;
  const CmdbDraft& draft;
  config::Errors& errors;

  const std::vector<Ci>& cis() const { return db.cis_; }
  std::string where(std::uint32_t ci) const { return draft.where(draft.ci_origins[ci]); }
  void error(std::uint32_t ci, const std::string& message) { errors.add(where(ci) + ": " + message); }

  void index_ids() {
    db.ids_.reserve(cis().size());
    for (std::uint32_t i = 0; i < cis().size(); ++i) {
      if (const KeyRef* first = db.ids_.insert({i, KeyField::id, 0})) {
        error(i, "duplicate CI id " + quoted(cis()[i].id) + " (first defined at " + where(first->ci) + ")");
      }
    }
  }

  void index_name(std::uint32_t i, KeyRef ref) {
    const KeyRef* taken = db.names_.insert(ref);
    if (!taken || taken->ci == i) return;
    static constexpr const char* field_word[] = {"id", "name", "fqdn", "alias"};
    error(i, std::string("duplicate name: ") + field_word[static_cast<int>(ref.field)] + " " +
                 quoted(key_of(cis()[i], ref)) + " of CI " + quoted(cis()[i].id) + " already names CI " +
                 quoted(cis()[taken->ci].id) + " (" + where(taken->ci) + ")");
  }

  void index_names() {
    std::size_t keys = 0;
    for (const Ci& ci : cis()) keys += 2 + ci.aliases.size();
    db.names_.reserve(keys);
    for (std::uint32_t i = 0; i < cis().size(); ++i) {
      const Ci& ci = cis()[i];
      index_name(i, {i, KeyField::name, 0});
      if (!ci.fqdn.empty()) index_name(i, {i, KeyField::fqdn, 0});
      for (std::uint16_t a = 0; a < ci.aliases.size(); ++a) {
        if (!ci.aliases[a].empty()) index_name(i, {i, KeyField::alias, a});
      }
    }
  }

  void index_addresses() {
    std::size_t v4 = 0, v6 = 0;
    for (const Ci& ci : cis()) {
      for (const IpAddress& a : ci.addresses) ++(a.is_v4() ? v4 : v6);
    }
    db.v4_.reserve(v4);
    db.v6_.reserve(v6);
    for (std::uint32_t i = 0; i < cis().size(); ++i) {
      for (const IpAddress& a : cis()[i].addresses) {
        std::uint32_t taken = a.is_v4() ? db.v4_.insert(a.v4(), i) : db.v6_.insert(a.bytes, i);
        if (taken == no_ci || taken == i) continue;
        error(i, "duplicate address " + a.str() + ": CI " + quoted(cis()[i].id) + " and CI " +
                     quoted(cis()[taken].id) + " (" + where(taken) + ")");
      }
    }
  }

  void link_dependencies() {
    std::vector<std::uint32_t>& off = db.up_offsets_;
    off.assign(1, 0);
    for (std::uint32_t i = 0; i < cis().size(); ++i) {
      for (const std::string& parent : cis()[i].depends_on) {
        const Ci* up = db.find_id(parent);
        if (!up) error(i, "CI " + quoted(cis()[i].id) + " depends_on unknown CI " + quoted(parent));
        else db.up_.push_back(db.index_of(*up));
      }
      off.push_back(static_cast<std::uint32_t>(db.up_.size()));
    }
    invert_dependencies();
  }

  void invert_dependencies() {
    std::vector<std::uint32_t> count(cis().size() + 1, 0);
    for (std::uint32_t u : db.up_) ++count[u + 1];
    for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    db.down_offsets_ = count;
    db.down_.resize(db.up_.size());
    for (std::uint32_t i = 0; i < cis().size(); ++i) {
      for (std::uint32_t u : db.upstream(i)) db.down_[count[u]++] = i;
    }
  }

  void report_cycle(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& stack, std::uint32_t back_to) {
    auto start = std::find_if(stack.begin(), stack.end(), [&](const auto& e) { return e.first == back_to; });
    std::string path;
    for (auto it = start; it != stack.end(); ++it) path += cis()[it->first].id + " -> ";
    error(back_to, "dependency cycle: " + path + cis()[back_to].id);
  }

  // Iterative depth-first search: a million CIs would overflow the stack.
  void find_cycles() {
    enum : std::uint8_t { unseen, open, done };
    std::vector<std::uint8_t> state(cis().size(), unseen);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // CI, next upstream edge
    for (std::uint32_t root = 0; root < cis().size(); ++root) {
      if (state[root] != unseen) continue;
      state[root] = open;
      stack.push_back({root, 0});
      while (!stack.empty()) {
        auto& [ci, edge] = stack.back();
        auto up = db.upstream(ci);
        if (edge == up.size()) {
          state[ci] = done;
          stack.pop_back();
          continue;
        }
        std::uint32_t next = up[edge++];
        if (state[next] == open) report_cycle(stack, next);
        if (state[next] == unseen) {
          state[next] = open;
          stack.push_back({next, 0});
        }
      }
    }
  }

  template <class Key, class Levels>
  void add_rule(Levels& levels, unsigned prefix, const Key& key, std::uint32_t ci, std::size_t rule) {
    auto level = std::find_if(levels.begin(), levels.end(), [&](const auto& l) { return l.prefix == prefix; });
    if (level == levels.end()) level = levels.insert(levels.end(), {prefix, {}});
    std::uint32_t taken = level->table.insert(key, ci);
    if (taken == no_ci || taken == ci) return;
    errors.add(draft.where(draft.rule_origins[rule]) + ": CIDR " + db.rules_[rule].cidr.str() +
               " is already a rule for CI " + quoted(cis()[taken].id));
  }

  void index_cidr_rules() {
    db.rules_ = draft.cidr_rules;
    for (std::size_t r = 0; r < db.rules_.size(); ++r) {
      const CidrRule& rule = db.rules_[r];
      const Ci* ci = db.find_id(rule.ci);
      if (!ci) {
        errors.add(draft.where(draft.rule_origins[r]) + ": CIDR rule " + rule.cidr.str() + " names unknown CI " +
                   quoted(rule.ci));
        continue;
      }
      const IpAddress& net = rule.cidr.network;
      if (net.is_v4()) add_rule(db.v4_prefixes_, rule.cidr.prefix - 96u, net.v4(), db.index_of(*ci), r);
      else add_rule(db.v6_prefixes_, rule.cidr.prefix, net.bytes, db.index_of(*ci), r);
    }
    auto longest_first = [](const auto& a, const auto& b) { return a.prefix > b.prefix; };
    std::sort(db.v4_prefixes_.begin(), db.v4_prefixes_.end(), longest_first);
    std::sort(db.v6_prefixes_.begin(), db.v6_prefixes_.end(), longest_first);
  }
};

std::shared_ptr<const Cmdb> Cmdb::build(CmdbDraft draft, config::Errors& errors) {
  std::shared_ptr<Cmdb> db(new Cmdb(std::move(draft.cis)));
  bool clean = errors.empty();
  std::size_t before = errors.messages().size();
  Builder b{*db, draft, errors};
  b.index_ids();
  b.index_names();
  b.index_addresses();
  b.link_dependencies();
  b.find_cycles();
  b.index_cidr_rules();
  if (!clean || errors.messages().size() != before) return nullptr;
  db->files_ = std::move(draft.files);
  db->origins_ = std::move(draft.ci_origins);
  db->rule_origins_ = std::move(draft.rule_origins);
  return db;
}

std::string Cmdb::where(const Ci& ci) const {
  Origin o = origins_.at(index_of(ci));
  std::string file = o.file < files_.size() ? files_[o.file] : "?";
  return o.line ? file + ":" + std::to_string(o.line) : file;
}

std::vector<Cidr> Cmdb::ranges_of(std::string_view id) const {
  std::vector<Cidr> out;
  for (const CidrRule& r : rules_)
    if (r.ci == id) out.push_back(r.cidr);
  return out;
}

CmdbDraft Cmdb::draft() const {
  CmdbDraft d;
  d.files = files_;
  d.cis = cis_;
  d.ci_origins = origins_;
  d.cidr_rules = rules_;
  d.rule_origins = rule_origins_;
  return d;
}

const Ci* Cmdb::find_id(std::string_view id) const {
  const KeyRef* ref = ids_.find(id);
  return ref ? &cis_[ref->ci] : nullptr;
}

std::uint32_t Cmdb::longest_prefix(const IpAddress& address) const {
  if (address.is_v4()) {
    for (const auto& level : v4_prefixes_) {
      std::uint32_t ci = level.table.find(address.v4() & v4_mask(level.prefix));
      if (ci != no_ci) return ci;
    }
    return no_ci;
  }
  for (const auto& level : v6_prefixes_) {
    std::uint32_t ci = level.table.find(masked(address.bytes, level.prefix));
    if (ci != no_ci) return ci;
  }
  return no_ci;
}

Match Cmdb::resolve_address(const IpAddress& address) const {
  std::uint32_t ci = address.is_v4() ? v4_.find(address.v4()) : v6_.find(address.bytes);
  if (ci != no_ci) return {&cis_[ci], MatchedBy::address};
  ci = longest_prefix(address);
  if (ci != no_ci) return {&cis_[ci], MatchedBy::cidr};
  return {};
}

Match Cmdb::resolve(std::string_view resource) const {
  if (resource.size() > 1 && resource.back() == '.') resource.remove_suffix(1);  // absolute FQDN
  // Address text is tried first: each index probe is a cache miss on a large
  // CMDB, and names that parse as addresses are rare (still found below).
  auto address = parse_address(resource);
  if (address) {
    if (Match m = resolve_address(*address)) return m;
  }
  if (const KeyRef* ref = names_.find(resource)) {
    static constexpr MatchedBy by[] = {MatchedBy::name, MatchedBy::name, MatchedBy::fqdn, MatchedBy::alias};
    return {&cis_[ref->ci], by[static_cast<int>(ref->field)]};
  }
  if (address) return {};
  auto dot = resource.find('.');
  if (dot != std::string_view::npos && dot > 0) {
    if (const KeyRef* ref = names_.find(resource.substr(0, dot))) return {&cis_[ref->ci], MatchedBy::short_name};
  }
  return {};
}

std::span<const std::uint32_t> Cmdb::upstream(std::uint32_t ci) const {
  return {up_.data() + up_offsets_[ci], up_.data() + up_offsets_[ci + 1]};
}

std::span<const std::uint32_t> Cmdb::downstream(std::uint32_t ci) const {
  return {down_.data() + down_offsets_[ci], down_.data() + down_offsets_[ci + 1]};
}

std::size_t Cmdb::index_bytes() const {
  std::size_t n = ids_.bytes() + names_.bytes() + v4_.bytes() + v6_.bytes();
  for (const auto& l : v4_prefixes_) n += l.table.bytes();
  for (const auto& l : v6_prefixes_) n += l.table.bytes();
  for (const auto* v : {&up_offsets_, &up_, &down_offsets_, &down_}) n += v->capacity() * sizeof(std::uint32_t);
  return n;
}

CmdbDiff diff(const Cmdb& before, const Cmdb& after) {
  CmdbDiff d;
  for (const Ci& ci : after.cis()) {
    const Ci* old = before.find_id(ci.id);
    if (!old) {
      d.added.push_back(ci.id);
    } else if (auto fields = changed_fields(*old, ci); !fields.empty()) {
      d.changed.push_back({ci.id, std::move(fields)});
    }
  }
  for (const Ci& ci : before.cis()) {
    if (!after.find_id(ci.id)) d.removed.push_back(ci.id);
  }
  return d;
}

}  // namespace tocsin::cmdb
