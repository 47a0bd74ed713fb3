#pragma once
// The records of suppression: maintenance windows and silences, as the
// configuration, the API and the store hold them. Plain data; the logic is in
// suppression.hpp.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace tocsin::suppression {

enum class Schedule : std::uint8_t { once = 0, daily, weekly };

std::string_view to_string(Schedule s);
std::optional<Schedule> parse_schedule(std::string_view s);

// Bit d of a weekday mask is weekday d, 0 = Sunday ... 6 = Saturday.
inline constexpr std::string_view weekday_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
std::optional<int> parse_weekday(std::string_view s);

inline constexpr std::int64_t minute_ms = 60'000;
inline constexpr std::int64_t day_ms = 24 * 60 * minute_ms;

struct MaintenanceWindow {
  std::string id;            // a configured window's name; the store's id (as text) for API windows
  bool from_config = false;  // configured windows cannot be removed through the API
  std::string comment;
  Schedule schedule = Schedule::once;
  std::int64_t start_ms = 0;  // once: [start_ms, end_ms)
  std::int64_t end_ms = 0;
  int at_minute = 0;           // daily, weekly: local start, minutes after midnight
  std::int64_t duration_ms = 0;  // daily, weekly: elapsed time from each start
  std::uint8_t days = 0;       // weekly: the weekdays an occurrence starts on
  std::string time_zone = "UTC";  // IANA zone the local start is counted in
  std::vector<std::string> cis;   // CI ids (or resources the CMDB does not know)
  bool include_dependents = false;  // also every CI that depends on them, transitively
  std::string author;
  std::int64_t created_at_ms = 0;
};

struct Interval {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

// A field of a request or configuration entry that is wrong, and why.
struct Problem {
  std::string field;
  std::string message;
};

enum class MatchOp : std::uint8_t { equal = 0, not_equal, regex, not_regex };

// One condition on an alert field: resource, ci, name, source, severity or
// attr.<name>. Regular expressions are RE2 and match the whole value.
struct Matcher {
  std::string field;
  MatchOp op = MatchOp::equal;
  std::string value;
  std::shared_ptr<const re2::RE2> re;  // compiled for regex ops by compile()
};

inline constexpr std::size_t max_matchers = 32;
inline constexpr std::size_t max_value_bytes = 1024;
inline constexpr std::size_t max_text_bytes = 4096;

struct Silence {
  std::int64_t id = 0;
  std::vector<Matcher> matchers;  // all must match
  std::int64_t start_ms = 0;      // in force over [start_ms, end_ms)
  std::int64_t end_ms = 0;
  std::string author;
  std::string comment;
  std::int64_t created_at_ms = 0;
};

enum class SilenceState : std::uint8_t { pending = 0, active, expired };

// What a person asks of the suppression state, through the API or tocsinctl.
// Requests go through the pipeline's queue like incident actions, so that the
// correlator is the only writer of suppression state and an answer is given
// only once the change is durable.
enum class RequestKind : std::uint8_t {
  list_silences = 0,
  add_silence,
  expire_silence,
  list_maintenance,
  add_maintenance,
  remove_maintenance,
};

struct Request {
  RequestKind kind = RequestKind::list_silences;
  std::string actor;           // the API token's name: the author of what is added
  Silence silence;             // add_silence (id, author and creation time are set by the correlator)
  std::int64_t duration_ms = 0;  // add_silence without an end: it ends this long after its start
  MaintenanceWindow window;    // add_maintenance (likewise)
  std::string id;              // expire_silence, remove_maintenance
};

// `status` follows HTTP meaning: 200 done (201 added), 400 invalid (`field`
// names what), 404 unknown id, 409 not allowed (e.g. removing a configured
// window). Lists and the changed record are returned with the time they were
// taken at, so that states (active, pending, expired) can be shown.
struct Result {
  int status = 200;
  std::string error;
  std::string field;
  std::int64_t now_ms = 0;
  std::vector<Silence> silences;
  std::vector<MaintenanceWindow> windows;
};

}  // namespace tocsin::suppression
