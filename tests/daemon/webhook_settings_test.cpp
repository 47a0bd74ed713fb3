// The notifications.webhook section and the reply secret: targets outside
// the allow-list and unreadable secrets are errors with file:line.
#include "daemon/webhook_settings.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "daemon/settings.hpp"

namespace tocsin {
namespace {

const config::Section& notifications() {
  static const config::Section s{"notifications", "", {{"webhook", config::Type::map, "", ""}}};
  return s;
}

struct Loaded {
  WebhookSettings settings;
  config::Errors errors;
  std::string all() const {
    std::string out;
    for (const auto& m : errors.messages()) out += m + "\n";
    return out;
  }
};

Loaded load(const std::string& text) {
  Loaded out;
  config::Node n(YAML::Load(text), notifications(), "tocsin.yaml", "notifications", out.errors);
  out.settings = load_webhook_settings(n);
  return out;
}

TEST(WebhookSettings, TargetsOnTheAllowListLoadWithTheirEvents) {
  auto l = load(R"(webhook:
  enabled: true
  allow: ["hooks.example.net:443", "127.0.0.1:*"]
  targets:
    - url: https://hooks.example.net/noc
    - url: http://127.0.0.1:9000/itsm
      events: [opened, resolved]
)");
  EXPECT_TRUE(l.errors.empty()) << l.all();
  ASSERT_EQ(l.settings.targets.size(), 2u);
  EXPECT_EQ(l.settings.targets[0].kinds.size(), 4u);
  EXPECT_EQ(l.settings.targets[1].kinds, (std::vector<notify::PageKind>{notify::PageKind::opened, notify::PageKind::resolved}));
  EXPECT_EQ(l.settings.sink.allow.size(), 2u);
}

TEST(WebhookSettings, UrlsOutsideTheAllowListAndBadEntriesAreErrorsWithLines) {
  auto l = load(R"(webhook:
  enabled: true
  allow: ["127.0.0.1:9000", "10.0.0.0/40:*"]
  targets:
    - url: http://127.0.0.1:9001/x
    - url: http://localhost:9000/x
    - url: http://user:pw@127.0.0.1:9000/x
      events: [opened, paged]
)");
  const std::string all = l.all();
  EXPECT_NE(all.find("tocsin.yaml:3: notifications.webhook.allow: '10.0.0.0/40:*': prefix length"), std::string::npos)
      << all;
  EXPECT_NE(all.find("tocsin.yaml:5: notifications.webhook.targets[0].url: 127.0.0.1:9001 is not in "
                     "notifications.webhook.allow"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("targets[1].url: localhost:9000 is not in notifications.webhook.allow"), std::string::npos)
      << all;
  EXPECT_NE(all.find("targets[2].url: 'http://user:pw@127.0.0.1:9000/x' user info"), std::string::npos) << all;
  EXPECT_NE(all.find("targets[2].events: unknown event 'paged'"), std::string::npos) << all;
}

TEST(WebhookSettings, EnabledWithoutTargetsIsAnErrorAndDisabledPostsNothing) {
  EXPECT_NE(load("webhook: {enabled: true}\n").all().find("no target is listed"), std::string::npos);
  auto l = load("webhook:\n  enabled: false\n  allow: [\"127.0.0.1:1\"]\n  targets: [{url: http://127.0.0.1:1/}]\n");
  EXPECT_TRUE(l.errors.empty()) << l.all();
  EXPECT_TRUE(l.settings.targets.empty());
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ReplySecretSettings, ReadFromAFileAndHandedToTheEmailCollector) {
  const std::string secret = write("reply.secret", "s3cret-from-file\n");
  const std::string file =
      write("reply.yaml", "notifications:\n  reply_secret_file: " + secret + "\n  reply_to: noc@tocsin.test\n");
  config::Errors errors;
  auto s = load_settings(file, errors);
  ASSERT_TRUE(s) << (errors.messages().empty() ? "" : errors.messages()[0]);
  EXPECT_EQ(s->smtp.reply_secret, "s3cret-from-file");
  EXPECT_EQ(s->email_in.decoder.replies.secret, "s3cret-from-file");
}

TEST(ReplySecretSettings, UnreadableEmptyOrDoubleSecretsAreErrors) {
  auto errors_of = [](const std::string& yaml) {
    config::Errors errors;
    load_settings(write("reply-bad.yaml", yaml), errors);
    std::string out;
    for (const auto& m : errors.messages()) out += m + "\n";
    return out;
  };
  EXPECT_NE(errors_of("notifications:\n  reply_secret_file: /nonexistent/secret\n")
                .find(":2: notifications.reply_secret_file: cannot read file '/nonexistent/secret'"),
            std::string::npos);
  const std::string empty = write("empty.secret", "\n");
  EXPECT_NE(errors_of("notifications:\n  reply_secret_file: " + empty + "\n").find("holds no secret"),
            std::string::npos);
  const std::string secret = write("reply2.secret", "x\n");
  EXPECT_NE(errors_of("notifications:\n  reply_secret: y\n  reply_secret_file: " + secret + "\n")
                .find("give reply_secret or reply_secret_file, not both"),
            std::string::npos);
}

}  // namespace
}  // namespace tocsin
