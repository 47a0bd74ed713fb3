#pragma once
// The CMDB snapshot: validated CIs and their indexes, immutable once built.
// Enrichment resolves an event's resource through it; a reload builds a new
// snapshot beside the old one and swaps a std::shared_ptr<const Cmdb>, so
// readers never lock and never see a half-loaded CMDB.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/schema.hpp"
#include "correlator/cmdb/ci.hpp"
#include "correlator/cmdb/index.hpp"
#include "correlator/cmdb/loader.hpp"

namespace tocsin::cmdb {

enum class MatchedBy : std::uint8_t { none, name, fqdn, alias, address, cidr, short_name };

std::string_view to_string(MatchedBy m);

struct Match {
  const Ci* ci = nullptr;  // valid while the snapshot lives
  MatchedBy by = MatchedBy::none;
  explicit operator bool() const { return ci != nullptr; }
};

struct CiChange {
  std::string id;
  std::vector<std::string> fields;
};

// What a reload changed; who and when are recorded by the caller.
struct CmdbDiff {
  std::vector<std::string> added;    // ids
  std::vector<std::string> removed;  // ids
  std::vector<CiChange> changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

class Cmdb {
 public:
  // Validates the draft (unique ids, names and addresses; known parents; no
  // dependency cycles; CIDR rules naming known CIs) and indexes it. Returns
  // nullptr when a problem was added to `errors`.
  static std::shared_ptr<const Cmdb> build(CmdbDraft draft, config::Errors& errors);

  Cmdb(const Cmdb&) = delete;
  Cmdb& operator=(const Cmdb&) = delete;

  // Resource as it appears on events → CI. Address text: the exact address,
  // then the longest CIDR prefix, then a CI named by that text. Other text:
  // name, FQDN or alias (ASCII case-insensitive), then the first label of a
  // dotted name (web01.example.com → web01).
  Match resolve(std::string_view resource) const;
  const Ci* find_id(std::string_view id) const;

  std::size_t size() const { return cis_.size(); }
  const std::vector<Ci>& cis() const { return cis_; }
  const std::vector<CidrRule>& cidr_rules() const { return rules_; }
  std::uint32_t index_of(const Ci& ci) const { return static_cast<std::uint32_t>(&ci - cis_.data()); }
  // Indexes of the CIs that `ci` depends on, and of those that depend on it.
  std::span<const std::uint32_t> upstream(std::uint32_t ci) const;
  std::span<const std::uint32_t> downstream(std::uint32_t ci) const;
  // Memory held by the indexes, not counting the CIs themselves.
  std::size_t index_bytes() const;

  // Where a CI was defined ("cmdb.yaml:12", "api"), and the CIDR rules that
  // name it (its prefixes, however they were written).
  std::string where(const Ci& ci) const;
  std::vector<Cidr> ranges_of(std::string_view id) const;
  // A copy of the CIs and rules with their origins, to build a changed
  // snapshot from (the API overlay).
  CmdbDraft draft() const;

 private:
  struct Builder;
  template <class Key>
  struct PrefixLevel {
    unsigned prefix;  // over the 128-bit form
    AddressTable<Key> table;
  };

  explicit Cmdb(std::vector<Ci> cis) : cis_(std::move(cis)) {}
  Match resolve_address(const IpAddress& address) const;
  std::uint32_t longest_prefix(const IpAddress& address) const;

  std::vector<Ci> cis_;
  std::vector<CidrRule> rules_;
  std::vector<std::string> files_;
  std::vector<Origin> origins_, rule_origins_;
  NameTable ids_{cis_, false};
  NameTable names_{cis_, true};
  AddressTable<std::uint32_t> v4_;
  AddressTable<std::array<std::uint8_t, 16>> v6_;
  std::vector<PrefixLevel<std::uint32_t>> v4_prefixes_;  // longest first
  std::vector<PrefixLevel<std::array<std::uint8_t, 16>>> v6_prefixes_;
  std::vector<std::uint32_t> up_offsets_, up_, down_offsets_, down_;
};

CmdbDiff diff(const Cmdb& before, const Cmdb& after);

}  // namespace tocsin::cmdb
