#pragma once
// Suppression: maintenance windows (one-off, daily, weekly; scoped to CIs and
// optionally to everything that depends on them) and silences (matchers on an
// alert's fields, with a start, an end, an author and a comment). Pure data
// and pure functions of (window or silence, alert, now); the Correlator applies
// them in correlator/suppression/correlator_hooks.cpp. Semantics in
// correlator/README.md ("Suppression").
//
// Every interval is half-open: a window or silence is in force from its start
// (inclusive) to its end (exclusive).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "correlator/cmdb/cmdb.hpp"
#include "correlator/model.hpp"
#include "correlator/suppression/records.hpp"

namespace tocsin::suppression {

// The occurrence of `w` in force at `now_ms` (start <= now < end), if any.
// A recurring window starts at `at_minute` local time on each day (weekly: on
// each day of `days`) and lasts `duration_ms` of elapsed time; a local start
// that does not exist (skipped by a DST change) starts at the transition, one
// that occurs twice starts at the first.
std::optional<Interval> occurrence_at(const MaintenanceWindow& w, std::int64_t now_ms);
// The first occurrence that starts after `now_ms`, within the next eight days
// for recurring windows.
std::optional<Interval> next_occurrence(const MaintenanceWindow& w, std::int64_t now_ms);
std::optional<Problem> validate(const MaintenanceWindow& w);

// "22:00" ↔ minutes after midnight.
std::optional<int> parse_time_of_day(std::string_view s);
std::string format_time_of_day(int minutes);

std::string_view to_string(MatchOp op);  // "=", "!=", "=~", "!~"
std::optional<MatchOp> parse_match_op(std::string_view s);

std::string_view to_string(SilenceState s);
std::optional<SilenceState> parse_silence_state(std::string_view s);
SilenceState state_at(const Silence& s, std::int64_t now_ms);

// Compiles the regular expressions and checks the matchers (known fields,
// sizes, at least one positive matcher). Does not look at the times.
std::optional<Problem> compile(Silence& s);
// What a new silence must also satisfy: an end after its start and after now.
std::optional<Problem> validate_new(const Silence& s, std::int64_t now_ms);
bool matches(const Silence& s, const Alert& alert);

// "maintenance:<id>" or "silence:<id>", as alerts record what suppresses them.
std::string maintenance_ref(const std::string& id);
std::string silence_ref(std::int64_t id);

// The windows and silences in force, and the question the correlator asks.
class Suppressions {
 public:
  void set_cmdb(std::shared_ptr<const cmdb::Cmdb> db);
  // Configured windows are replaced on reload; API windows are kept.
  void set_config_windows(std::vector<MaintenanceWindow> windows);
  void add_window(MaintenanceWindow w);
  bool remove_window(const std::string& id);  // API windows only
  const MaintenanceWindow* find_window(const std::string& id) const;
  // Silences must have gone through compile().
  void add_silence(Silence s);
  Silence* find_silence(std::int64_t id);
  // Drops silences that expired before `before_ms` from memory (they stay in the store).
  void forget_expired(std::int64_t before_ms);

  const std::vector<MaintenanceWindow>& windows() const { return windows_; }
  const std::vector<Silence>& silences() const { return silences_; }

  // What suppresses `alert` at `now_ms`: a maintenance window in force on its
  // CI (maintenance first), else an active silence matching it; empty when
  // nothing does.
  std::string check(const Alert& alert, std::int64_t now_ms) const;

 private:
  struct Scope {
    std::unordered_set<std::string, ViewHash, std::equal_to<>> names;  // listed CIs and, with dependents, every CI below them
  };
  Scope build_scope(const MaintenanceWindow& w) const;
  void rebuild_scopes();
  bool in_scope(const Scope& scope, const Alert& alert) const;

  std::shared_ptr<const cmdb::Cmdb> cmdb_;
  std::vector<MaintenanceWindow> windows_;  // configured first, then API windows
  std::vector<Scope> scopes_;               // parallel to windows_
  std::vector<Silence> silences_;
};

}  // namespace tocsin::suppression
