#pragma once
// Who can be paged and how: the contract between the on-call rosters
// (correlator/oncall/), the escalation engine (correlator/sla/), assignment and
// the reply channels (acknowledgement by SMS and by e-mail). Implementations
// are immutable snapshots, swapped whole on reload like the CMDB.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::oncall {

struct Contact {
  std::string channel;  // "sms" or "email"
  std::string address;  // E.164 number ("+33612345678") or e-mail address
};

struct Person {
  std::string id;                 // stable key, e.g. "alice"
  std::string name;               // display name
  std::vector<Contact> contacts;  // in the person's preferred order
  std::string time_zone;          // IANA zone, e.g. "Europe/Paris"; empty = UTC
};

enum class Layer : std::uint8_t { primary = 0, secondary };

class Directory {
 public:
  virtual ~Directory() = default;
  // nullptr when unknown.
  virtual const Person* person(std::string_view id) const = 0;
  // The person owning a number (compared as digits with a leading +, spaces and
  // dashes ignored) or an e-mail address (case-insensitive); nullptr if none.
  virtual const Person* person_by_address(std::string_view channel, std::string_view address) const = 0;
  // Person ids on duty for `group` in `layer` at `at_ms` (wall time, ms since
  // the epoch), overrides applied; empty when nobody is.
  virtual std::vector<std::string> on_call(std::string_view group, Layer layer, std::int64_t at_ms) const = 0;
  virtual std::string lead(std::string_view group) const = 0;     // "" when none
  virtual std::string manager(std::string_view group) const = 0;  // "" when none
  virtual std::vector<std::string> members(std::string_view group) const = 0;
};

}  // namespace tocsin::oncall
