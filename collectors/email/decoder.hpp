#pragma once
// The e-mail collector's decoding stage: a message received after DATA is
// parsed (MIME, GMime), run through the mapping rules and handed to the
// pipeline as one Event; the reply to DATA is given only once that event is
// durable. Runs on the transport's threads; the rules are swapped whole on
// reload.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/email/config.hpp"
#include "collectors/email/session.hpp"
#include "collectors/email/mime.hpp"
#include "correlator/actions.hpp"
#include "correlator/clock.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/mapping.hpp"
#include "correlator/stats.hpp"

namespace tocsin::email_in {

// Boundary between the SMTP transport and the decoding.
class MailHandler {
 public:
  virtual ~MailHandler() = default;
  // `done` runs exactly once, on any thread, with the reply to the DATA
  // content: a refusal at once, or 250 after the event is committed.
  virtual void submit(const Envelope& envelope, std::string_view peer, std::string message,
                      std::function<void(Reply)> done) = 0;
};

// Nagios, Icinga 2 and Zabbix notification mail, each as a problem/clear pair.
std::vector<RuleSpec> default_rules();

// With an ActionSink, a reply to a page (a valid reply token in the subject,
// reply.hpp) becomes an incident action instead of an event, and its 250 too
// waits for the commit. Without one every mail is an event.
class Decoder final : public MailHandler {
 public:
  Decoder(const DecoderConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock,
          ActionSink* actions = nullptr);
  void reconfigure(const DecoderConfig& config);
  // The on-call directory replies are matched against, in place of the
  // configuration's (config.replies.directory) from now on, across
  // reconfigure(): the daemon's, with the people changed through the API.
  void set_directory(std::shared_ptr<const oncall::Directory> directory);

  void submit(const Envelope& envelope, std::string_view peer, std::string message,
              std::function<void(Reply)> done) override;

  // One mail into `out`, replies to pages included (as events); the refusal
  // (counted) when it is refused.
  std::optional<Reply> decode(const Envelope& envelope, std::string_view peer, std::string message, Event& out);

 private:
  struct Compiled {
    RuleSet rules;
    DecoderConfig config;
  };
  std::shared_ptr<const Compiled> current() const;
  // MIME parsing, counted: the refusal when the mail breaks a limit.
  std::optional<Reply> parse(const Compiled& compiled, const std::string& message, MailParse& parsed) const;
  void to_event(const Compiled& compiled, const Envelope& envelope, std::string_view peer, const Mail& mail,
                std::string message, Event& out) const;
  void map_unmatched(const Compiled& compiled, Event& out) const;
  // Hands a reply's action to the pipeline; false when the mail is no reply.
  bool handle_reply(const Compiled& compiled, const Envelope& envelope, const Mail& mail,
                    std::function<void(Reply)>& done);

  EventSink& sink_;
  ActionSink* actions_;
  StatsRegistry& stats_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Compiled> compiled_;
  std::shared_ptr<const oncall::Directory> directory_;  // null: the configuration's
};

}  // namespace tocsin::email_in
