// Delivery reports and reply SMS from the gateway.
#include "daemon/sms_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "sinks/sms/reply.hpp"

namespace tocsin::api {

namespace {

constexpr const char* dlr_metric = "tocsin_sms_delivery_reports_total";
constexpr const char* dlr_help = "Delivery reports from the SMS gateway, by result";
constexpr const char* reply_metric = "tocsin_sms_replies_total";
constexpr const char* reply_help = "Reply SMS received, by result";
constexpr std::string_view dlr_results[] = {"recorded", "bad_token", "bad_request", "unknown_notification",
                                            "store_error"};
constexpr std::string_view reply_results[] = {
    "acknowledged",   "resolved",         "bad_token",   "bad_request", "empty",      "too_long",
    "not_a_command",  "bad_incident",     "unknown_sender", "no_such_incident", "not_allowed", "conflict",
    "failed"};
constexpr std::size_t max_number_bytes = 32;


Response text(http::status status, std::string body) {
  Response r{status, 11};
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.set(http::field::cache_control, "no-store");
  r.body() = std::move(body);
  return r;
}

std::string param(const ApiRequest& r, std::string_view name) {
  const std::string* v = r.query_value(name);
  return v ? *v : std::string();
}

std::string for_log(std::string_view s) {
  std::string out(s.substr(0, 80));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

std::shared_ptr<spdlog::logger> sms_log() {
  auto logger = spdlog::get("http");
  return logger ? logger : spdlog::default_logger();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace


SmsRoutes::SmsRoutes(Router& router, ApiBackend& backend, StoreReaders::OpenStore open_store, std::string token,
                     std::shared_ptr<const oncall::Directory> directory, StatsRegistry& stats, const Clock& clock)
    : backend_(backend),
      readers_(std::move(open_store), 1),
      stats_(stats),
      clock_(clock),
      token_(std::move(token)),
      directory_(std::move(directory)) {
  for (auto r : dlr_results) stats_.counter(dlr_metric, dlr_help, {{"result", std::string(r)}});
  for (auto r : reply_results) stats_.counter(reply_metric, reply_help, {{"result", std::string(r)}});
  router.add(http::verb::get, "/kannel/dlr", std::nullopt,
             [this](ApiRequest r, Respond respond) { delivery_report(std::move(r), std::move(respond)); });
  router.add(http::verb::get, "/kannel/mo", std::nullopt,
             [this](ApiRequest r, Respond respond) { reply(std::move(r), std::move(respond)); });
}

void SmsRoutes::reconfigure(std::string token, std::shared_ptr<const oncall::Directory> directory) {
  std::lock_guard lock(mutex_);
  token_ = std::move(token);
  directory_ = std::move(directory);
}

void SmsRoutes::set_directory(std::shared_ptr<const oncall::Directory> directory) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(directory);
}

bool SmsRoutes::authentic(const ApiRequest& request, Respond& respond, const char* metric) {
  std::string token;
  {
    std::lock_guard lock(mutex_);
    token = token_;
  }
  if (same_token(param(request, "token"), token)) return true;
  stats_.counter(metric, metric == dlr_metric ? dlr_help : reply_help, {{"result", "bad_token"}}).inc();
  respond(text(http::status::forbidden, "bad token\n"));
  return false;
}

void SmsRoutes::delivery_report(ApiRequest request, Respond respond) {
  if (!authentic(request, respond, dlr_metric)) return;
  std::int64_t id = 0;
  int type = 0;
  std::string id_text = param(request, "id"), type_text = param(request, "status");
  auto id_parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  auto type_parsed = std::from_chars(type_text.data(), type_text.data() + type_text.size(), type);
  auto status = sms::delivery_status(type);
  auto gateway_id = sms::foreign_id(param(request, "foreign_id"));
  if (!gateway_id) {
    stats_.counter(dlr_metric, dlr_help, {{"result", "bad_request"}}).inc();
    return respond(text(http::status::bad_request, "foreign_id must be at most " +
                                                       std::to_string(sms::max_foreign_id_bytes) +
                                                       " printable characters without spaces\n"));
  }
  if (id_text.empty() || id_parsed.ec != std::errc{} || id_parsed.ptr != id_text.data() + id_text.size() || id <= 0 ||
      type_parsed.ec != std::errc{} || type_parsed.ptr != type_text.data() + type_text.size() || !status) {
    stats_.counter(dlr_metric, dlr_help, {{"result", "bad_request"}}).inc();
    return respond(text(http::status::bad_request, "id must be a notification id and status a Kannel DLR type\n"));
  }
  readers_.run(
      [this, id, status = std::string(*status), foreign_id = *gateway_id](Store& store) {
        if (!store.record_delivery_report(id, status, foreign_id)) {
          stats_.counter(dlr_metric, dlr_help, {{"result", "unknown_notification"}}).inc();
          return text(http::status::not_found, "no such notification\n");
        }
        stats_.counter(dlr_metric, dlr_help, {{"result", "recorded"}}).inc();
        sms_log()->info("sms delivery report recorded, notification={} status={} gateway_id={}", id, status,
                        foreign_id.empty() ? "-" : foreign_id);
        return text(http::status::ok, "ok\n");
      },
      [this, respond](Response r) {
        if (r.result() == http::status::service_unavailable)
          stats_.counter(dlr_metric, dlr_help, {{"result", "store_error"}}).inc();
        respond(std::move(r));
      });
}

void SmsRoutes::answer(Respond& respond, std::string_view result, const std::string& message) {
  stats_.counter(reply_metric, reply_help, {{"result", std::string(result)}}).inc();
  respond(text(http::status::ok, message));
}

void SmsRoutes::reply(ApiRequest request, Respond respond) {
  if (!authentic(request, respond, reply_metric)) return;
  std::string from = param(request, "from"), body = param(request, "text");
  if (from.empty() || from.size() > max_number_bytes) {
    stats_.counter(reply_metric, reply_help, {{"result", "bad_request"}}).inc();
    return respond(text(http::status::bad_request, "from must be the sender's number\n"));
  }
  auto parsed = sms::parse_reply(body);
  if (auto* refusal = std::get_if<sms::ReplyRefusal>(&parsed))
    return answer(respond, sms::to_string(*refusal), "Tocsin: not understood. Reply ACK <id> or RES <id>.");
  const sms::ReplyCommand command = std::get<sms::ReplyCommand>(parsed);
  std::shared_ptr<const oncall::Directory> directory;
  {
    std::lock_guard lock(mutex_);
    directory = directory_;
  }
  const oncall::Person* person = directory ? directory->person_by_address("sms", from) : nullptr;
  if (person == nullptr) {
    sms_log()->warn("sms reply refused, unknown sender, from={}", for_log(from));
    return answer(respond, "unknown_sender", "Tocsin: this number is not registered for replies.");
  }
  const std::string who = person->id;
  const std::string id = std::to_string(command.incident_id);
  IncidentAction action;
  action.incident_id = command.incident_id;
  action.kind = command.verb == sms::ReplyVerb::acknowledge ? ActionKind::acknowledge : ActionKind::resolve;
  action.actor = who;
  action.comment = "by SMS from " + from;
  action.channel = "sms";
  // Who may act is decided on the pipeline thread against the on-call
  // directory in force and the pages committed for the incident
  // (oncall::standing), as for e-mail replies.
  action.check_authority = true;
  const bool ack = action.kind == ActionKind::acknowledge;
  backend_.act(std::move(action), [this, respond, ack, id, who, from](ActionResult result) mutable {
    if (result.status == 200)
      return answer(respond, ack ? "acknowledged" : "resolved",
                    "Tocsin: #" + id + (ack ? " acknowledged" : " resolved") + " by " + who + ".");
    if (result.status == 403) {
      sms_log()->warn("sms reply refused, not allowed, from={} person={} incident={}", for_log(from), who, id);
      return answer(respond, "not_allowed", "Tocsin: you may not act on incident #" + id + ".");
    }
    if (result.status == 404) return answer(respond, "no_such_incident", "Tocsin: there is no incident #" + id + ".");
    if (result.status == 409)
      return answer(respond, "conflict", "Tocsin: #" + id + " not changed: " + result.error + ".");
    answer(respond, "failed", "Tocsin: #" + id + " could not be changed now, try again.");
  });
}

}  // namespace tocsin::api
