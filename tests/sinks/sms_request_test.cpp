// Requests to the SMS gateway: URL templating and escaping, the Kannel
// sendsms preset with delivery reports, POST bodies, and the success test.
#include "sinks/sms/request.hpp"

#include <gtest/gtest.h>

namespace tocsin::sms {
namespace {

Notification page(std::string body) {
  Notification n;
  n.id = 42;
  n.incident_id = 7;
  n.channel = "sms";
  n.recipient = "+33 6 12 34 56 78";
  n.body = std::move(body);
  return n;
}

TEST(SmsRequest, PlaceholdersArePercentEncoded) {
  EXPECT_EQ(expand("https://gw/send?to={to}&msg={text}&x={unknown}", {{"to", "+33 6"}, {"text", "a&b=c/é"}},
                   Escape::url),
            "https://gw/send?to=%2B33%206&msg=a%26b%3Dc%2F%C3%A9&x={unknown}");
  EXPECT_EQ(expand("{\"text\": \"{text}\"}", {{"text", "say \"hi\"\n"}}, Escape::json),
            "{\"text\": \"say \\\"hi\\\"\\u000a\"}");
}

TEST(SmsRequest, NumbersKeepOnlyThePlusAndDigits) {
  EXPECT_EQ(normalize_number("+33 6 12-34.56 78"), "+33612345678");
  EXPECT_EQ(normalize_number("0033 (6) 12345678"), "+33612345678");
  EXPECT_EQ(normalize_number("0612345678"), "0612345678");
  EXPECT_EQ(normalize_number("+33+6"), "+336");
}

TEST(SmsRequest, UnknownPlaceholdersAreFoundForValidation) {
  EXPECT_EQ(unknown_placeholder("http://gw/?to={to}&t={text}"), std::nullopt);
  EXPECT_EQ(unknown_placeholder("http://gw/?to={recipient}"), "{recipient}");
  EXPECT_EQ(unknown_placeholder(R"({"to": "{to}", "x": {"y": 1}})"), std::nullopt);
  EXPECT_EQ(unknown_placeholder(R"({"to": "{to}", "x": "{tp}"})"), "{tp}");
}

TEST(SmsRequest, KannelPresetBuildsSendsmsWithUcs2CodingAndDeliveryReportUrl) {
  GatewayConfig c;
  c.url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  c.username = "tocsin";
  c.password = "p&ss";
  c.from = "TOCSIN";
  c.callback_url = "http://127.0.0.1:8080/";
  c.callback_token = "s3cret";
  Notification n = page("P1 #7: 数据中心断电");
  EncodedSms sms = encode_sms(n.body, {});
  HttpRequest r = build_request(c, n, sms, 0);
  EXPECT_EQ(r.method, Method::get);
  EXPECT_EQ(r.url,
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=tocsin&password=p%26ss&to=%2B33612345678"
            "&text=P1%20%237%3A%20%E6%95%B0%E6%8D%AE%E4%B8%AD%E5%BF%83%E6%96%AD%E7%94%B5&charset=UTF-8&coding=2"
            "&from=TOCSIN&dlr-mask=31&dlr-url="
            "http%3A%2F%2F127.0.0.1%3A8080%2Fkannel%2Fdlr%3Fid%3D42%26token%3Ds3cret%26status%3D%25d%26foreign_id%3D%25F");
  EXPECT_TRUE(r.body.empty());
}

TEST(SmsRequest, KannelWithoutCallbackAsksForNoDeliveryReport) {
  GatewayConfig c;
  Notification n = page("hello");
  HttpRequest r = build_request(c, n, encode_sms(n.body, {}), 0);
  EXPECT_EQ(r.url.find("dlr"), std::string::npos);
  EXPECT_NE(r.url.find("&coding=0"), std::string::npos);
}

TEST(SmsRequest, GenericPostFillsTheJsonBodyAndHeaders) {
  GatewayConfig c;
  c.preset = Preset::generic;
  c.method = Method::post;
  c.url = "https://api.example.net/v1/messages?ref={id}";
  c.content_type = "application/json";
  c.body = R"({"to":"{to}","text":"{text}","unicode":"{encoding}","part":"{part}/{parts}"})";
  c.headers = {{"Authorization", "Bearer abc"}};
  Notification n = page("a \"b\"");
  HttpRequest r = build_request(c, n, encode_sms(n.body, {}), 0);
  EXPECT_EQ(r.method, Method::post);
  EXPECT_EQ(r.url, "https://api.example.net/v1/messages?ref=42");
  EXPECT_EQ(r.body, R"({"to":"+33612345678","text":"a \"b\"","unicode":"gsm7","part":"1/1"})");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "Authorization");
  EXPECT_EQ(r.headers[1].second, "application/json");
}

TEST(SmsRequest, SuccessTestNeedsTheStatusAndTheBodyChecks) {
  GatewayConfig c;
  EXPECT_EQ(classify_response(c, 202, "0: Accepted for delivery").outcome, DeliveryResult::Outcome::delivered);
  EXPECT_EQ(classify_response(c, 503, "busy").outcome, DeliveryResult::Outcome::retry);
  EXPECT_EQ(classify_response(c, 403, "Authorization failed").outcome, DeliveryResult::Outcome::retry);
  EXPECT_EQ(classify_response(c, 400, "Missing receiver").outcome, DeliveryResult::Outcome::rejected);
  c.success_body = "Accepted";
  EXPECT_EQ(classify_response(c, 202, "3: Queued for later delivery").outcome, DeliveryResult::Outcome::retry);
  c.success_body.clear();
  c.success_regex = "^(0: Accepted|3: Queued)";
  EXPECT_EQ(classify_response(c, 202, "3: Queued for later delivery").outcome, DeliveryResult::Outcome::delivered);
  EXPECT_EQ(classify_response(c, 202, "Error").outcome, DeliveryResult::Outcome::retry);
  EXPECT_EQ(classify_response(c, 202, "x").detail, "HTTP 202: x");
}

}  // namespace
}  // namespace tocsin::sms
