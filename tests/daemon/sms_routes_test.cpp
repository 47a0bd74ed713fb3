// Who may act on an incident by reply SMS, the constant-time secret check,
// and the notifications.sms settings.
#include "daemon/sms_routes.hpp"

#include <gtest/gtest.h>

#include "correlator/oncall/authority.hpp"
#include "daemon/oncall_settings.hpp"
#include "daemon/sms_settings.hpp"

namespace tocsin {
namespace {

const config::Section& root() {
  static const config::Section s{"(top level)", "",
                                 {{"oncall", config::Type::map, "", ""}, {"notifications", config::Type::map, "", ""}}};
  return s;
}

const config::Section& notifications() {
  static const config::Section s{"notifications", "", {{"sms", config::Type::map, "", ""}}};
  return s;
}

std::shared_ptr<const oncall::Snapshot> directory() {
  config::Errors errors;
  config::Node n(YAML::Load(R"(oncall:
  users:
    - {id: alice, contacts: [{sms: "+33 6 11 11 11 11"}]}
    - {id: bob, contacts: [{sms: "+33622222222"}]}
    - {id: lea, contacts: [{sms: "+33633333333"}]}
    - {id: max, contacts: [{sms: "+33655555555"}]}
    - {id: sam, contacts: [{sms: "+33666666666"}]}
    - {id: dave, contacts: [{sms: "+33644444444"}]}
  groups:
    - {id: noc, members: [bob], lead: lea, manager: max}
    - {id: facilities, members: [dave]}
  rosters:
    - group: noc
      rotations:
        - {participants: [alice], shift: 7d, start: 2026-01-05}
)"),
                 root(), "tocsin.yaml", "", errors);
  auto snapshot = load_oncall_settings(n);
  EXPECT_TRUE(errors.empty()) << errors.joined();
  return snapshot;
}

// Replies by SMS are judged by oncall::standing (the pipeline's check_authority).
TEST(SmsReplyAuthority, OnCallMembersLeadManagerAndPagedPeopleMayActOthersMayNot) {
  auto d = directory();
  Incident incident;
  incident.id = 12;
  incident.group = "noc";
  const std::int64_t now = 1'780'000'000'000;  // 2026-05-28, within alice's rotation
  std::vector<Notification> pages(1);
  pages[0].person = "sam";
  const std::vector<Notification> no_pages;
  EXPECT_NE(oncall::standing(*d, "alice", incident, no_pages, now), oncall::Standing::none);  // on call
  EXPECT_NE(oncall::standing(*d, "bob", incident, no_pages, now), oncall::Standing::none);    // member
  EXPECT_NE(oncall::standing(*d, "lea", incident, no_pages, now), oncall::Standing::none);    // lead
  EXPECT_NE(oncall::standing(*d, "max", incident, no_pages, now), oncall::Standing::none);    // manager
  EXPECT_EQ(oncall::standing(*d, "sam", incident, no_pages, now), oncall::Standing::none);
  EXPECT_NE(oncall::standing(*d, "sam", incident, pages, now), oncall::Standing::none);  // paged for it
  EXPECT_EQ(oncall::standing(*d, "dave", incident, pages, now), oncall::Standing::none);
  EXPECT_EQ(d->person_by_address("sms", "+33611111111")->id, "alice");
}

TEST(SmsCallbackSecret, OnlyTheExactSecretPasses) {
  EXPECT_TRUE(api::same_token("s3cret", "s3cret"));
  EXPECT_FALSE(api::same_token("s3cre", "s3cret"));
  EXPECT_FALSE(api::same_token("s3cret!", "s3cret"));
  EXPECT_FALSE(api::same_token("S3cret", "s3cret"));
  EXPECT_FALSE(api::same_token("", ""));  // no secret configured: nothing passes
}

SmsSettings load(const std::string& yaml, config::Errors& errors) {
  config::Node r(YAML::Load(yaml), root(), "tocsin.yaml", "", errors);
  return load_sms_settings(r.map("notifications", notifications()));
}

TEST(SmsSettingsTest, KannelDefaultsAndGenericTemplatesAreChecked) {
  config::Errors errors;
  SmsSettings s = load(R"(notifications:
  sms:
    enabled: true
    username: tocsin
    password: pw
    success_codes: [202]
    max_segments: 2
    overflow: split
    callback_url: http://127.0.0.1:8080
    callback_token: t
)",
                       errors);
  ASSERT_TRUE(errors.empty()) << errors.joined();
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.config.gateway.preset, sms::Preset::kannel);
  EXPECT_EQ(s.config.gateway.url, "http://127.0.0.1:13013/cgi-bin/sendsms");
  EXPECT_EQ(s.config.gateway.success_codes, std::vector<int>{202});
  EXPECT_EQ(s.config.encoder.max_segments, 2);
  EXPECT_EQ(s.config.encoder.overflow, sms::Overflow::split);

  config::Errors bad;
  load(R"(notifications:
  sms:
    preset: generic
    url: "https://gw/send?to={recipient}"
    method: POST
    success_codes: [200, 99]
    success_regex: "("
    callback_url: http://127.0.0.1:8080
    surprise: 1
)",
       bad);
  std::string all = bad.joined();
  EXPECT_NE(all.find("tocsin.yaml:"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown placeholder {recipient}"), std::string::npos) << all;
  EXPECT_NE(all.find("needs a body template"), std::string::npos) << all;
  EXPECT_NE(all.find("'99' is not an HTTP status code"), std::string::npos) << all;
  EXPECT_NE(all.find("success_regex"), std::string::npos) << all;
  EXPECT_NE(all.find("callback_token"), std::string::npos) << all;
  EXPECT_NE(all.find("surprise"), std::string::npos) << all;
}

}  // namespace
}  // namespace tocsin
