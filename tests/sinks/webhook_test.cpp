// The webhook sink's pure parts: URLs, the allow-list (by name, by network,
// by port), the connect-time address check, the POST and status outcomes.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "sinks/webhook/allow_list.hpp"
#include "sinks/webhook/encoder.hpp"

namespace tocsin::webhook {
namespace {

Url url(std::string_view text) {
  auto parsed = parse_url(text);
  EXPECT_TRUE(parsed.url) << text << ": " << parsed.error;
  return parsed.url.value_or(Url{});
}

std::vector<AllowEntry> allow(std::initializer_list<std::string_view> texts) {
  std::vector<AllowEntry> out;
  for (auto t : texts) {
    auto parsed = parse_allow_entry(t);
    EXPECT_TRUE(parsed.entry) << t << ": " << parsed.error;
    if (parsed.entry) out.push_back(*parsed.entry);
  }
  return out;
}

TEST(WebhookUrl, ParsesSchemeHostPortAndTarget) {
  Url u = url("https://Hooks.Example.NET/services/T01?x=1");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "hooks.example.net");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/services/T01?x=1");
  EXPECT_FALSE(u.host_is_address);
  u = url("http://127.0.0.1:9000");
  EXPECT_EQ(u.port, 9000);
  EXPECT_EQ(u.target, "/");
  EXPECT_TRUE(u.host_is_address);
  u = url("http://[::1]:8080/h");
  EXPECT_EQ(u.host, "::1");
  EXPECT_TRUE(u.host_is_address);
}

TEST(WebhookUrl, RefusesWhatCannotBeSentSafely) {
  for (const char* bad : {"ftp://example.net/", "file:///etc/passwd", "http://user:pw@example.net/",
                          "http://example.net/#frag", "http://exa mple.net/", "http://example.net:0/",
                          "http://example.net:99999/", "http://[::1/", "http://[nothex]/", "example.net/x",
                          "http://ex\xC3\xA9.net/", "http:///x", "http://example.net:/"})
    EXPECT_FALSE(parse_url(bad).url) << bad;
  EXPECT_FALSE(parse_url("http://e.net/" + std::string(3000, 'a')).url);
}

TEST(WebhookAllowList, NamesMatchNamesAndNetworksMatchAddressesOnTheirPorts) {
  const auto list = allow({"hooks.example.net:443", "10.20.0.0/16:8080", "127.0.0.1:*", "[2001:db8::/32]:8443"});
  EXPECT_TRUE(allowed(url("https://hooks.example.net/x"), list));
  EXPECT_TRUE(allowed(url("https://HOOKS.example.net./x"), list));
  EXPECT_FALSE(allowed(url("http://hooks.example.net/x"), list)) << "port 80 is not allowed";
  EXPECT_FALSE(allowed(url("https://evil-hooks.example.net/x"), list));
  EXPECT_TRUE(allowed(url("http://10.20.3.4:8080/"), list));
  EXPECT_FALSE(allowed(url("http://10.21.3.4:8080/"), list));
  EXPECT_FALSE(allowed(url("http://10.20.3.4:8081/"), list));
  EXPECT_TRUE(allowed(url("http://127.0.0.1:1/"), list));
  EXPECT_TRUE(allowed(url("http://[::ffff:127.0.0.1]:5/"), list)) << "the mapped form is the same address";
  EXPECT_TRUE(allowed(url("https://[2001:db8:1::5]:8443/"), list));
  EXPECT_FALSE(allowed(url("https://[2001:db9::5]:8443/"), list));
  EXPECT_FALSE(allowed(url("http://169.254.169.254/latest"), list));
  // A name is not allowed by a network, even one it may resolve into.
  EXPECT_FALSE(allowed(url("http://localhost:80/"), allow({"127.0.0.0/8:*"})));
  EXPECT_FALSE(allowed(url("http://127.0.0.1/"), {}));
}

TEST(WebhookAllowList, EntriesNeedAPortAndAValidHostOrNetwork) {
  for (const char* bad : {"example.net", "10.0.0.0/8", "10.0.0.0/33:*", "10.0.0.0/x:80", "exa mple:80",
                          "example.net:0", "example.net:http", "::1:80", "[::1]", "[::1/129]:80", "host/8:80"})
    EXPECT_FALSE(parse_allow_entry(bad).entry) << bad;
  EXPECT_NE(parse_allow_entry("10.0.0.0/33:*").error.find("prefix length must be 0-32"), std::string::npos);
  EXPECT_TRUE(parse_allow_entry("0.0.0.0/0:443").entry);
  EXPECT_NE(parse_allow_entry("10.1.2.3/16:443").error.find("host bits are set after the prefix /16"),
            std::string::npos);
  EXPECT_TRUE(parse_allow_entry("[2001:db8::/32]:8443").entry);
}

sockaddr_in v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, text, &a.sin_addr);
  return a;
}

TEST(WebhookAllowList, ConnectionsOfAnAddressUrlGoOnlyToThatAddress) {
  const auto list = allow({"127.0.0.1:9000", "hooks.example.net:443"});
  const sockaddr_in loopback = v4("127.0.0.1"), other = v4("10.0.0.1");
  const Url literal = url("http://127.0.0.1:9000/");
  EXPECT_TRUE(connection_allowed(literal, list, reinterpret_cast<const sockaddr*>(&loopback)));
  EXPECT_FALSE(connection_allowed(literal, list, reinterpret_cast<const sockaddr*>(&other)));
  // A name allowed by name may go wherever it resolves.
  EXPECT_TRUE(connection_allowed(url("https://hooks.example.net/"), list, reinterpret_cast<const sockaddr*>(&other)));
  EXPECT_FALSE(connection_allowed(url("https://other.example.net/"), list, reinterpret_cast<const sockaddr*>(&other)));
  EXPECT_FALSE(connection_allowed(literal, list, nullptr));
}

TEST(WebhookEncoder, PostsTheCommittedJsonWithIdentifyingHeaders) {
  Notification n;
  n.id = 77;
  n.incident_id = 12;
  n.channel = "webhook";
  n.recipient = "http://127.0.0.1:9000/hook";
  n.kind = "acknowledged";
  n.body = R"({"kind":"acknowledged","incident_id":12})";
  WebhookConfig c;
  c.user_agent = "tocsin/1.0\r\nX-Evil: 1";
  HttpPost p = encode_post(n, c);
  EXPECT_EQ(p.url, n.recipient);
  EXPECT_EQ(p.body, n.body);
  auto header = [&p](const std::string& name) {
    for (const auto& [k, v] : p.headers)
      if (k == name) return v;
    return std::string("<absent>");
  };
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(header("X-Tocsin-Event"), "acknowledged");
  EXPECT_EQ(header("X-Tocsin-Incident"), "12");
  EXPECT_EQ(header("Idempotency-Key"), "tocsin-n77");
  EXPECT_EQ(header("User-Agent"), "tocsin/1.0X-Evil: 1") << "no line break can reach a header";
  EXPECT_EQ(header("X-Tocsin-Possible-Duplicate"), "<absent>");
  n.possible_duplicate = true;
  p = encode_post(n, c);
  EXPECT_EQ(header("X-Tocsin-Possible-Duplicate"), "yes");
  EXPECT_EQ(header("Idempotency-Key"), "tocsin-n77") << "a resend keeps its key";
}

TEST(WebhookEncoder, StatusClasses) {
  EXPECT_EQ(classify_status(200), StatusClass::delivered);
  EXPECT_EQ(classify_status(204), StatusClass::delivered);
  for (long s : {408L, 425L, 429L, 500L, 502L, 503L}) EXPECT_EQ(classify_status(s), StatusClass::retry) << s;
  for (long s : {301L, 302L, 400L, 401L, 403L, 404L, 410L}) EXPECT_EQ(classify_status(s), StatusClass::rejected) << s;
}

}  // namespace
}  // namespace tocsin::webhook
