#pragma once
// What a person does to an incident (through the API, tocsinctl, later an SMS or
// mail reply). Actions go through the same queue as events so that the
// correlator is the only writer of incident state.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "correlator/model.hpp"

namespace tocsin {

// The actions of the incident lifecycle (DESIGN.md, HTTP API). `return_` is
// `return` in paths and the timeline.
enum class ActionKind : std::uint8_t {
  acknowledge = 0,
  resolve,
  close,
  reopen,
  assign,
  forward,
  return_,
  escalate,
  comment,
  set_priority,
};

std::string_view to_string(ActionKind k);
std::optional<ActionKind> parse_action_kind(std::string_view s);

struct IncidentAction {
  std::int64_t incident_id = 0;
  ActionKind kind = ActionKind::acknowledge;
  std::string actor;    // who: the API token's name or a user
  std::string comment;  // optional reason, kept in the timeline
  std::string group;            // assign, forward: the new owner group
  std::string assignee;         // assign: the new person (empty = the group only)
  std::string priority;         // set_priority: "P1".."P5"
  std::string resolution_code;  // resolve: e.g. "fixed", "duplicate", "no_fault"
  std::string channel;          // where the action came from: "api", "sms", "email"
  // Set by the reply channels (e-mail, SMS): `actor` is a person of the
  // on-call directory, and the action is done only if that person may act on
  // the incident (oncall::standing, correlator/oncall/authority.hpp); 403
  // otherwise. The API authorizes by its token's role instead.
  bool check_authority = false;
  // The stored incident when the correlator does not hold it (resolved or
  // closed): the pipeline reads it so that close and reopen can act on it.
  std::optional<Incident> stored;
};

// `status` follows HTTP meaning: 200 done, 404 no such incident, 409 not allowed
// in the incident's state (e.g. acknowledging a resolved incident), 503 store
// failure. `incident` is the state after the action when status is 200.
struct ActionResult {
  int status = 200;
  std::string error;
  std::optional<Incident> incident;
};

using ActionDone = std::function<void(ActionResult)>;

// Where actions are handed to the correlator (the pipeline's queue).
class ActionSink {
 public:
  virtual ~ActionSink() = default;
  // `done` runs once, on another thread, after the change is durable (or with
  // the refusal).
  virtual void act(IncidentAction action, ActionDone done) = 0;
};

}  // namespace tocsin
