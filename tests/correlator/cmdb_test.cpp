// CMDB: loading the three file formats, validation with file:line, the
// snapshot's lookups and the change history between snapshots.
#include "correlator/cmdb/cmdb.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tocsin::cmdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Loaded {
  std::shared_ptr<const Cmdb> db;
  config::Errors errors;
  std::string first_error() const { return errors.empty() ? "" : errors.messages().front(); }
};

using LoadFn = void (*)(std::string_view, const std::string&, CmdbDraft&, config::Errors&);

Loaded load(LoadFn fn, std::string_view text, const std::string& file) {
  Loaded out;
  CmdbDraft draft;
  fn(text, file, draft, out.errors);
  out.db = Cmdb::build(std::move(draft), out.errors);
  return out;
}
Loaded yaml(std::string_view text) { return load(load_cmdb_yaml, text, "cmdb.yaml"); }
Loaded csv(std::string_view text) { return load(load_cmdb_csv, text, "cmdb.csv"); }
Loaded json(std::string_view text) { return load(load_cmdb_json, text, "cmdb.json"); }

std::string id_of(const Match& m) { return m ? m.ci->id : "<none>"; }

// ---- YAML -----------------------------------------------------------------

TEST(CmdbYaml, LoadsEveryCiField) {
  Loaded l = yaml(R"(cis:
  - id: core-sw1
    name: core-sw1
    type: device
    aliases: [core1, CORE-A]
    addresses: [10.0.0.1, "2001:db8::1"]
    fqdn: core-sw1.dc1.example.net
    owner_group: network-ops
    criticality: critical
    services: [internet-access, voip]
    location: dc1/row-a/rack-01
    runbook: https://wiki.example.net/runbooks/core-switch
    attributes: {vendor: cisco, model: C9500-48Y4C}
  - id: web01
    depends_on: [core-sw1]
)");
  ASSERT_TRUE(l.db) << l.first_error();
  const Ci* core = l.db->find_id("core-sw1");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->type, "device");
  EXPECT_THAT(core->aliases, ElementsAre("core1", "CORE-A"));
  ASSERT_EQ(core->addresses.size(), 2u);
  EXPECT_EQ(core->addresses[0].str(), "10.0.0.1");
  EXPECT_EQ(core->addresses[1].str(), "2001:db8::1");
  EXPECT_EQ(core->fqdn, "core-sw1.dc1.example.net");
  EXPECT_EQ(core->owner_group, "network-ops");
  EXPECT_EQ(core->criticality, Criticality::critical);
  EXPECT_THAT(core->services, ElementsAre("internet-access", "voip"));
  EXPECT_EQ(core->location, "dc1/row-a/rack-01");
  EXPECT_EQ(core->runbook, "https://wiki.example.net/runbooks/core-switch");
  EXPECT_EQ(core->attributes, (CiAttributes{{"vendor", "cisco"}, {"model", "C9500-48Y4C"}}));
  const Ci* web = l.db->find_id("web01");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->name, "web01") << "name defaults to the id";
  EXPECT_EQ(web->criticality, Criticality::medium);
  EXPECT_THAT(l.db->upstream(l.db->index_of(*web)), ElementsAre(l.db->index_of(*core)));
  EXPECT_THAT(l.db->downstream(l.db->index_of(*core)), ElementsAre(l.db->index_of(*web)));
}

TEST(CmdbYaml, UnknownFieldIsReportedAtItsLine) {
  Loaded l = yaml("cis:\n  - id: a\n    owner: noc\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.yaml:3: unknown CI field 'owner'");
}

TEST(CmdbYaml, BadAddressIsReportedAtItsLine) {
  Loaded l = yaml("- id: a\n  addresses:\n    - 10.0.0.1\n    - 10.0.0.300\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.yaml:4: addresses: '10.0.0.300' is not an IPv4 or IPv6 address");
}

TEST(CmdbYaml, UnknownCriticalityNamesTheAllowedValues) {
  Loaded l = yaml("- id: a\n- id: b\n  criticality: urgent\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(),
            "cmdb.yaml:3: criticality: unknown value 'urgent' (expected critical, high, medium or low)");
}

TEST(CmdbYaml, SyntaxErrorHasTheLine) {
  Loaded l = yaml("- id: a\n- id: [b\n");
  EXPECT_FALSE(l.db);
  EXPECT_THAT(l.first_error(), HasSubstr("cmdb.yaml:3: "));
}

TEST(CmdbYaml, CidrWithHostBitsIsRejected) {
  Loaded l = yaml("cis:\n  - id: a\ncidr_rules:\n  - {cidr: 10.1.2.3/16, ci: a}\n");
  EXPECT_FALSE(l.db);
  EXPECT_THAT(l.first_error(), HasSubstr("cmdb.yaml:4: cidr: '10.1.2.3/16' is not a CIDR prefix"));
}

// ---- CSV ------------------------------------------------------------------

TEST(CmdbCsv, ReadsRfc4180QuotingListsAndAttributes) {
  Loaded l = csv(
      "id,name,type,addresses,aliases,owner_group,criticality,location,attr.vendor,attr.note\r\n"
      "core-sw1,core-sw1,device,10.0.0.1;10.0.1.1,core1; core-a ,network-ops,critical,\"dc1, row A\",cisco,"
      "\"said \"\"hi\"\"\"\r\n"
      "web01,web01,host,10.0.2.10,,web-team,low,dc1,,\"two\nlines\"\r\n");
  ASSERT_TRUE(l.db) << l.first_error();
  const Ci* core = l.db->find_id("core-sw1");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->location, "dc1, row A");
  EXPECT_THAT(core->aliases, ElementsAre("core1", "core-a"));
  EXPECT_EQ(core->addresses.size(), 2u);
  EXPECT_EQ(core->attributes, (CiAttributes{{"vendor", "cisco"}, {"note", "said \"hi\""}}));
  const Ci* web = l.db->find_id("web01");
  ASSERT_NE(web, nullptr);
  EXPECT_THAT(web->aliases, IsEmpty());
  EXPECT_EQ(web->attributes, (CiAttributes{{"note", "two\nlines"}})) << "empty cells set nothing";
}

TEST(CmdbCsv, UnknownColumnIsReportedOnTheHeaderLine) {
  Loaded l = csv("id,name,hostgroup\na,a,x\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.csv:1: unknown column 'hostgroup' (CI fields, or attr.<name> for an attribute)");
}

TEST(CmdbCsv, ErrorLineCountsLinesInsideQuotedFields) {
  Loaded l = csv("id,location,addresses\na,\"multi\nline\",10.0.0.1\nb,x,10.0.0/24x\n");
  EXPECT_FALSE(l.db);
  EXPECT_THAT(l.first_error(), HasSubstr("cmdb.csv:4: addresses: '10.0.0/24x' is not a CIDR prefix"));
}

TEST(CmdbCsv, UnclosedQuoteIsReportedWhereItOpens) {
  Loaded l = csv("id,location\na,x\nb,\"dc1\nc,y\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.csv:3: quoted field is never closed");
}

TEST(CmdbCsv, RowWithWrongFieldCountIsReported) {
  Loaded l = csv("id,name\na,a\nb,b,extra\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.csv:3: the row has 3 fields, the header 2");
}

TEST(CmdbCsv, HeaderWithoutIdIsRejected) {
  Loaded l = csv("name,type\na,host\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.csv:1: the header has no 'id' column");
}

// ---- JSON -----------------------------------------------------------------

TEST(CmdbJson, LoadsCisAndCidrRules) {
  Loaded l = json(R"({
  "cis": [
    {"id": "dist-sw1", "type": "device", "addresses": ["10.1.0.1"], "criticality": "high",
     "attributes": {"vendor": "arista", "ports": 48}},
    {"id": "db01", "depends_on": ["dist-sw1"], "services": ["billing"]}
  ],
  "cidr_rules": [{"cidr": "10.1.0.0/16", "ci": "dist-sw1"}]
})");
  ASSERT_TRUE(l.db) << l.first_error();
  const Ci* sw = l.db->find_id("dist-sw1");
  ASSERT_NE(sw, nullptr);
  EXPECT_EQ(sw->criticality, Criticality::high);
  EXPECT_EQ(sw->attributes, (CiAttributes{{"vendor", "arista"}, {"ports", "48"}}));
  EXPECT_EQ(id_of(l.db->resolve("10.1.77.5")), "dist-sw1");
}

TEST(CmdbJson, FieldErrorIsReportedAtTheLineOfItsCi) {
  Loaded l = json("[\n  {\"id\": \"a\"},\n  {\"id\": \"b\",\n   \"criticality\": \"severe\"}\n]");
  EXPECT_FALSE(l.db);
  EXPECT_THAT(l.first_error(), HasSubstr("cmdb.json:3: criticality: unknown value 'severe'"));
}

TEST(CmdbJson, UnknownParentIsReportedAtTheLineOfItsCi) {
  Loaded l = json("{\"cis\": [\n{\"id\": \"a\", \"note\": \"{[\"},\n{\"id\": \"b\", \"depends_on\": [\"zz\"]}\n]}");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.json:2: unknown CI field 'note'");
  ASSERT_EQ(l.errors.messages().size(), 2u);
  EXPECT_EQ(l.errors.messages()[1], "cmdb.json:3: CI 'b' depends_on unknown CI 'zz'");
}

TEST(CmdbJson, SyntaxErrorHasTheLine) {
  Loaded l = json("[\n {\"id\": \"a\"},\n {\"id\" \"b\"}\n]");
  EXPECT_FALSE(l.db);
  EXPECT_THAT(l.first_error(), HasSubstr("cmdb.json:3: invalid JSON"));
}

// ---- validation -----------------------------------------------------------

TEST(CmdbValidation, DependencyCycleIsReportedWithItsPath) {
  Loaded l = yaml(R"(- {id: a, depends_on: [b]}
- {id: b, depends_on: [c]}
- {id: c, depends_on: [a]}
- {id: d, depends_on: [a]}
)");
  EXPECT_FALSE(l.db);
  ASSERT_EQ(l.errors.messages().size(), 1u) << l.errors.joined();
  EXPECT_EQ(l.first_error(), "cmdb.yaml:1: dependency cycle: a -> b -> c -> a");
}

TEST(CmdbValidation, SelfDependencyIsACycle) {
  Loaded l = yaml("- {id: a, depends_on: [a]}\n");
  EXPECT_EQ(l.first_error(), "cmdb.yaml:1: dependency cycle: a -> a");
}

TEST(CmdbValidation, UnknownParentIsReported) {
  Loaded l = yaml("- {id: a}\n- {id: b, depends_on: [a, core]}\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.yaml:2: CI 'b' depends_on unknown CI 'core'");
}

TEST(CmdbValidation, DuplicateAddressNamesBothCis) {
  Loaded l = yaml("- {id: a, addresses: [10.0.0.1]}\n- {id: b, addresses: ['10.0.0.2', '10.0.0.1']}\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.yaml:2: duplicate address 10.0.0.1: CI 'b' and CI 'a' (cmdb.yaml:1)");
}

TEST(CmdbValidation, SameIpv6AddressInAnotherSpellingIsADuplicate) {
  Loaded l = yaml("- {id: a, addresses: ['2001:db8::10']}\n- {id: b, addresses: ['2001:DB8:0:0:0:0:0:10']}\n");
  EXPECT_THAT(l.first_error(), HasSubstr("duplicate address 2001:db8::10"));
}

TEST(CmdbValidation, DuplicateIdPointsAtTheFirstDefinition) {
  Loaded l = csv("id,name\nsw1,sw1\nsw2,sw2\nsw1,sw1-b\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.csv:4: duplicate CI id 'sw1' (first defined at cmdb.csv:2)");
}

TEST(CmdbValidation, NameUsedAsAnotherCisAliasIsADuplicateWhateverTheCase) {
  Loaded l = yaml("- {id: a, name: web01}\n- {id: b, name: web02, aliases: [WEB01]}\n");
  EXPECT_FALSE(l.db);
  EXPECT_EQ(l.first_error(), "cmdb.yaml:2: duplicate name: alias 'WEB01' of CI 'b' already names CI 'a' (cmdb.yaml:1)");
}

TEST(CmdbValidation, CidrRuleForUnknownCiIsReported) {
  Loaded l = yaml("cis: [{id: a}]\ncidr_rules:\n  - {cidr: 10.0.0.0/8, ci: b}\n");
  EXPECT_EQ(l.first_error(), "cmdb.yaml:3: CIDR rule 10.0.0.0/8 names unknown CI 'b'");
}

TEST(CmdbValidation, RunbookMustBeAnHttpUrl) {
  Loaded l = yaml("- {id: a, runbook: wiki/core}\n");
  EXPECT_EQ(l.first_error(), "cmdb.yaml:1: runbook: 'wiki/core' is not an http:// or https:// URL");
}

// ---- lookup ---------------------------------------------------------------

std::shared_ptr<const Cmdb> lookup_fixture() {
  Loaded l = yaml(R"(cis:
  - {id: ci-1, name: Core-SW1, fqdn: core-sw1.dc1.example.net, aliases: [core1], addresses: [10.0.0.1]}
  - {id: ci-2, name: web01, fqdn: web01.shop.example.com, addresses: ['2001:db8:10::5']}
  - {id: ci-3, name: db01}
  - {id: site-a, name: site-a-router}
  - {id: site-a-lan, name: site-a-lan}
  - {id: site-a-voice, name: site-a-voice}
  - {id: v6-site, name: v6-site}
cidr_rules:
  - {cidr: 10.0.0.0/8, ci: site-a}
  - {cidr: 10.20.0.0/16, ci: site-a-lan}
  - {cidr: 10.20.30.0/24, ci: site-a-voice}
  - {cidr: '2001:db8:20::/48', ci: v6-site}
)");
  EXPECT_TRUE(l.db) << l.first_error();
  return l.db;
}

TEST(CmdbLookup, NamesFqdnsAndAliasesAreCaseInsensitive) {
  auto db = lookup_fixture();
  EXPECT_EQ(id_of(db->resolve("core-sw1")), "ci-1");
  EXPECT_EQ(id_of(db->resolve("CORE-SW1.DC1.Example.NET")), "ci-1");
  EXPECT_EQ(db->resolve("CORE-SW1.DC1.Example.NET").by, MatchedBy::fqdn);
  EXPECT_EQ(db->resolve("Core1").by, MatchedBy::alias);
  EXPECT_EQ(db->resolve("core-sw1").by, MatchedBy::name);
}

TEST(CmdbLookup, FqdnMatchesExactlyAndOtherDomainsFallBackToTheShortName) {
  auto db = lookup_fixture();
  EXPECT_EQ(db->resolve("web01.shop.example.com").by, MatchedBy::fqdn);
  EXPECT_EQ(db->resolve("web01.shop.example.com.").by, MatchedBy::fqdn) << "absolute form with trailing dot";
  Match other = db->resolve("db01.backoffice.example.com");
  EXPECT_EQ(id_of(other), "ci-3");
  EXPECT_EQ(other.by, MatchedBy::short_name);
  EXPECT_FALSE(db->resolve("web"));
  EXPECT_FALSE(db->resolve("unknown.example.com"));
  EXPECT_FALSE(db->resolve("ci-3")) << "ids are not resource names";
}

// Keys of up to 16 bytes are compared where the index keeps them, longer ones
// in its arena of keys: both sides of that boundary, and keys that differ
// only past it or only in length.
TEST(CmdbLookup, LongAndShortKeysAreToldApartAtTheInlineBoundary) {
  Loaded l = yaml(R"(cis:
  - {id: ci-16, name: ABCDEFGHIJKLMNOP}
  - {id: ci-17, name: abcdefghijklmnopq, aliases: [edge-router-01.lab]}
  - {id: ci-a, name: rack-12-switch-a.pod-7}
  - {id: ci-b, name: rack-12-switch-a.pod-8, fqdn: rack-12-switch-a.pod-8.example.net}
)");
  ASSERT_TRUE(l.db) << l.first_error();
  const auto& db = l.db;
  EXPECT_EQ(id_of(db->resolve("abcdefghijklmnop")), "ci-16");
  EXPECT_EQ(id_of(db->resolve("ABCDEFGHIJKLMNOPQ")), "ci-17");
  EXPECT_EQ(id_of(db->resolve("Edge-Router-01.LAB")), "ci-17");
  EXPECT_EQ(db->resolve("Edge-Router-01.LAB").by, MatchedBy::alias);
  EXPECT_EQ(id_of(db->resolve("RACK-12-SWITCH-A.POD-7")), "ci-a");
  EXPECT_EQ(id_of(db->resolve("rack-12-switch-a.pod-8")), "ci-b");
  EXPECT_EQ(db->resolve("rack-12-switch-a.pod-8.example.net").by, MatchedBy::fqdn);
  EXPECT_FALSE(db->resolve("abcdefghijklmno"));
  EXPECT_FALSE(db->resolve("abcdefghijklmnopqr"));
  EXPECT_FALSE(db->resolve("rack-12-switch-a.pod-9"));
  EXPECT_EQ(db->find_id("ci-17")->name, "abcdefghijklmnopq");
  EXPECT_EQ(db->find_id("CI-17"), nullptr) << "ids are exact";
}

TEST(CmdbLookup, ExactAddressWinsOverCidrRules) {
  auto db = lookup_fixture();
  Match m = db->resolve("10.0.0.1");
  EXPECT_EQ(id_of(m), "ci-1");
  EXPECT_EQ(m.by, MatchedBy::address);
}

TEST(CmdbLookup, LongestCidrPrefixWins) {
  auto db = lookup_fixture();
  EXPECT_EQ(id_of(db->resolve("10.20.30.40")), "site-a-voice");
  EXPECT_EQ(id_of(db->resolve("10.20.31.40")), "site-a-lan");
  EXPECT_EQ(id_of(db->resolve("10.99.0.1")), "site-a");
  EXPECT_EQ(db->resolve("10.99.0.1").by, MatchedBy::cidr);
  EXPECT_FALSE(db->resolve("192.168.1.1"));
}

TEST(CmdbLookup, CiNamedByAnAddressTextIsFoundWhenNoAddressMatches) {
  Loaded l = yaml("- {id: a, name: 192.0.2.7}\n- {id: b, addresses: [192.0.2.8]}\n");
  ASSERT_TRUE(l.db) << l.first_error();
  EXPECT_EQ(l.db->resolve("192.0.2.7").by, MatchedBy::name);
  EXPECT_EQ(l.db->resolve("192.0.2.8").by, MatchedBy::address);
  EXPECT_FALSE(l.db->resolve("192.0.2.9"));
}

TEST(CmdbLookup, Ipv6AddressesInAnySpellingAndIpv6Prefixes) {
  auto db = lookup_fixture();
  EXPECT_EQ(id_of(db->resolve("2001:db8:10::5")), "ci-2");
  EXPECT_EQ(id_of(db->resolve("2001:0DB8:0010:0000:0000:0000:0000:0005")), "ci-2");
  EXPECT_EQ(id_of(db->resolve("2001:db8:20:ffff::1")), "v6-site");
  EXPECT_FALSE(db->resolve("2001:db8:21::1"));
  EXPECT_EQ(id_of(db->resolve("::ffff:10.0.0.1")), "ci-1") << "IPv4-mapped form of an IPv4 address";
}

TEST(CmdbLookup, ManyPrefixesStillResolveToTheLongest) {
  CmdbDraft draft;
  for (int i = 0; i < 2000; ++i) {
    Ci ci;
    ci.id = ci.name = "net" + std::to_string(i);
    draft.add(ci);
    std::string net = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24";
    draft.cidr_rules.push_back({*parse_cidr(net), ci.id});
    draft.rule_origins.push_back({0, 0});
  }
  Ci wide;
  wide.id = "wide";
  draft.add(wide);
  draft.cidr_rules.push_back({*parse_cidr("10.0.0.0/12"), "wide"});
  draft.rule_origins.push_back({0, 0});
  config::Errors errors;
  auto db = Cmdb::build(std::move(draft), errors);
  ASSERT_TRUE(db) << errors.joined();
  EXPECT_EQ(id_of(db->resolve("10.7.207.9")), "net1999");
  EXPECT_EQ(id_of(db->resolve("10.7.208.9")), "wide");
  EXPECT_FALSE(db->resolve("10.16.0.1"));
}

// ---- change history -------------------------------------------------------

TEST(CmdbDiffTest, ReportsAddedRemovedAndChangedFields) {
  Loaded before = yaml(R"(- {id: a, owner_group: noc, addresses: [10.0.0.1]}
- {id: b}
- {id: c, criticality: low}
)");
  Loaded after = yaml(R"(- {id: a, owner_group: network-ops, addresses: [10.0.0.2]}
- {id: c, criticality: low}
- {id: d}
)");
  ASSERT_TRUE(before.db && after.db);
  CmdbDiff d = diff(*before.db, *after.db);
  EXPECT_THAT(d.added, ElementsAre("d"));
  EXPECT_THAT(d.removed, ElementsAre("b"));
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].id, "a");
  EXPECT_THAT(d.changed[0].fields, ElementsAre("addresses", "owner_group"));
  EXPECT_TRUE(diff(*after.db, *after.db).empty());
}

// ---- the sample CMDB ------------------------------------------------------

TEST(CmdbSample, ExampleCmdbLoadsAndResolvesItsHosts) {
  CmdbDraft draft;
  config::Errors errors;
  load_cmdb_file(std::string(TOCSIN_SOURCE_DIR) + "/config/examples/cmdb/sample.yaml", draft, errors);
  auto db = Cmdb::build(std::move(draft), errors);
  ASSERT_TRUE(db) << errors.joined();
  Match core = db->resolve("core-sw1");
  ASSERT_TRUE(core);
  EXPECT_EQ(core.ci->criticality, Criticality::critical);
  for (const Ci& ci : db->cis()) {
    if (ci.type == "host") {
      EXPECT_FALSE(ci.depends_on.empty()) << ci.id << " hangs off the network";
    }
  }
}

TEST(CmdbFile, MissingFileIsReported) {
  CmdbDraft draft;
  config::Errors errors;
  load_cmdb_file("/nonexistent/cmdb.txt", draft, errors);
  EXPECT_THAT(errors.joined(), HasSubstr("/nonexistent/cmdb.txt: cannot read the CMDB file"));
}

TEST(CmdbNetworks, AnAllowListEntryIsANetworkOrOneAddressAndContainsWhatItCovers) {
  auto net = parse_network("10.20.0.0/16");
  ASSERT_TRUE(net);
  EXPECT_TRUE(contains(*net, *parse_address("10.20.255.1")));
  EXPECT_FALSE(contains(*net, *parse_address("10.21.0.1")));
  EXPECT_FALSE(contains(*net, *parse_address("::ffff:10.21.0.1")));
  auto one = parse_network("192.0.2.7");
  ASSERT_TRUE(one);
  EXPECT_TRUE(contains(*one, *parse_address("192.0.2.7")));
  EXPECT_FALSE(contains(*one, *parse_address("192.0.2.8")));
  auto v6 = parse_network("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(contains(*v6, *parse_address("2001:db8:7fff::1")));
  EXPECT_FALSE(contains(*v6, *parse_address("2001:db8:8000::1")));
  EXPECT_TRUE(contains(*parse_network("0.0.0.0/0"), *parse_address("203.0.113.9")));
  EXPECT_FALSE(parse_network("10.20.1.0/16")) << "host bits after the prefix";
  EXPECT_FALSE(parse_network("core-sw1"));
}

}  // namespace
}  // namespace tocsin::cmdb
