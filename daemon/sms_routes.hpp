#pragma once
// The routes the SMS gateway calls back (Kannel cannot send a bearer token):
//   GET /kannel/dlr?id=<notification>&status=<type>&token=<secret>
//     a delivery report (Kannel's dlr-url, %d): recorded on the notification;
//   GET /kannel/mo?from=<number>&text=<message>&token=<secret>
//     a reply SMS (an sms-service get-url, %p and %a): "ACK 12", "12 R"...
//     acknowledges or resolves incident 12 through the pipeline when the
//     sender may act on it; the plain-text answer is what Kannel sends back to
//     the phone (the sms-service's reply), so every outcome answers 200 with a
//     short explanation. A wrong token answers 403 and nothing is done.
// Both are public routes outside /api: the shared secret, compared in
// constant time, is their authentication.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "correlator/clock.hpp"
#include "correlator/oncall/directory.hpp"
#include "correlator/stats.hpp"
#include "daemon/api.hpp"
#include "daemon/http_server.hpp"

namespace tocsin::api {

class SmsRoutes {
 public:
  SmsRoutes(Router& router, ApiBackend& backend, StoreReaders::OpenStore open_store, std::string token,
            std::shared_ptr<const oncall::Directory> directory, StatsRegistry& stats, const Clock& clock);

  // Reload: the next requests use the new secret and directory.
  void reconfigure(std::string token, std::shared_ptr<const oncall::Directory> directory);
  // A new directory (people changed through the API): the next replies are
  // matched against it.
  void set_directory(std::shared_ptr<const oncall::Directory> directory);

 private:
  void delivery_report(ApiRequest request, Respond respond);
  void reply(ApiRequest request, Respond respond);
  bool authentic(const ApiRequest& request, Respond& respond, const char* metric);
  void answer(Respond& respond, std::string_view result, const std::string& text);

  ApiBackend& backend_;
  StoreReaders readers_;
  StatsRegistry& stats_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::string token_;
  std::shared_ptr<const oncall::Directory> directory_;
};

}  // namespace tocsin::api
