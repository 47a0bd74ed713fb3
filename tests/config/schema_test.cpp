// Config errors name the file, the line and the key, and say what is right.
#include "config/schema.hpp"

#include <gtest/gtest.h>

namespace tocsin::config {
namespace {

const Section& listener() {
  static const Section s{"listener",
                         "A listener.",
                         {{"listen", Type::address, "", "Address.", {}, true},
                          {"buffer", Type::size, "8MiB", "Buffer."},
                          {"timeout", Type::duration, "30s", "Timeout."},
                          {"mode", Type::choice, "fast", "Mode.", {"fast", "safe"}},
                          {"count", Type::integer, "3", "Count."},
                          {"enabled", Type::boolean, "true", "On."}}};
  return s;
}

TEST(Schema, DefaultsApplyWhenKeysAreAbsent) {
  Errors errors;
  Node n(YAML::Load("listen: 127.0.0.1:5514\n"), listener(), "t.yaml", "listener", errors);
  EXPECT_EQ(n.size("buffer"), 8u << 20);
  EXPECT_EQ(n.duration("timeout"), std::chrono::seconds(30));
  EXPECT_EQ(n.choice("mode"), "fast");
  EXPECT_EQ(n.integer("count", 0, 10), 3);
  EXPECT_TRUE(n.boolean("enabled"));
  ASSERT_TRUE(n.address("listen"));
  EXPECT_EQ(n.address("listen")->port, 5514);
  EXPECT_TRUE(errors.empty()) << errors.joined();
}

TEST(Schema, EveryErrorHasFileLineAndKey) {
  Errors errors;
  Node n(YAML::Load("listen: localhost:99999\nbuffer: lots\ntimeout: soon\nmode: reckless\ncount: 11\nenabled: "
                    "maybe\nlisten_port: 5\n"),
         listener(), "t.yaml", "listener", errors);
  n.address("listen");
  n.size("buffer");
  n.duration("timeout");
  n.choice("mode");
  n.integer("count", 0, 10);
  n.boolean("enabled");
  const auto& m = errors.messages();
  ASSERT_EQ(m.size(), 7u) << errors.joined();
  EXPECT_EQ(m[0], "t.yaml:7: listener.listen_port: unknown key; known keys here: listen, buffer, timeout, mode, "
                  "count, enabled");
  EXPECT_EQ(m[1].rfind("t.yaml:1: listener.listen: 'localhost:99999' is not an address", 0), 0u) << m[1];
  EXPECT_EQ(m[2].rfind("t.yaml:2: listener.buffer: expected a size", 0), 0u) << m[2];
  EXPECT_EQ(m[3].rfind("t.yaml:3: listener.timeout: expected a duration", 0), 0u) << m[3];
  EXPECT_EQ(m[4], "t.yaml:4: listener.mode: 'reckless' is not allowed; expected one of: fast, safe");
  EXPECT_EQ(m[5], "t.yaml:5: listener.count: 11 is out of range; expected 0 to 10");
  EXPECT_EQ(m[6].rfind("t.yaml:6: listener.enabled: expected true or false", 0), 0u) << m[6];
}

TEST(Schema, RequiredKeyMissing) {
  Errors errors;
  Node n(YAML::Load("buffer: 1MiB\n"), listener(), "t.yaml", "listener", errors);
  ASSERT_EQ(errors.messages().size(), 1u);
  EXPECT_EQ(errors.messages()[0].rfind("t.yaml:1: listener.listen: required key is missing", 0), 0u);
}

TEST(Schema, ParsesUnits) {
  EXPECT_EQ(parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(parse_duration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(parse_duration("10"), std::chrono::seconds(10));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("1MB"), 1000000u);
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_EQ(parse_endpoint("[::1]:5514")->host, "::1");
  EXPECT_EQ(parse_endpoint("[::1]:5514")->str(), "[::1]:5514");
  EXPECT_FALSE(parse_endpoint("127.0.0.1"));
  EXPECT_FALSE(parse_endpoint("::1:5514")) << "IPv6 needs brackets";
  EXPECT_FALSE(parse_endpoint("300.0.0.1:1"));
}

TEST(Schema, MissingFileIsAnError) {
  static const Section s{"tls", "TLS.", {{"certificate", Type::file, "", "PEM."}}};
  Errors errors;
  Node n(YAML::Load("certificate: /nonexistent/cert.pem\n"), s, "t.yaml", "tls", errors);
  n.file("certificate");
  ASSERT_EQ(errors.messages().size(), 1u);
  EXPECT_EQ(errors.messages()[0].rfind("t.yaml:1: tls.certificate: cannot read file '/nonexistent/cert.pem'", 0), 0u);
}

TEST(Schema, ReferenceListsEveryKey) {
  std::string md = reference_markdown({&listener()});
  EXPECT_NE(md.find("## `listener`"), std::string::npos);
  EXPECT_NE(md.find("| `mode` | one of `fast` `safe` | `fast` | Mode. |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `listen` | address | required |"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::config
