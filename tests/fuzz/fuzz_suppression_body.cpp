// Fuzz target for the bodies of POST /api/v1/silences and /api/v1/maintenance:
// any body must end in a record or a rejection naming a field, never a crash.
// An accepted record goes on through what the correlator does with it (regex
// compilation, validation, occurrences in its time zone) and back to JSON.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "correlator/suppression/suppression.hpp"
#include "daemon/suppression_json.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

constexpr std::int64_t now_ms = 1'790'000'000'000;  // 2026-09-21

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tocsin;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  suppression::Silence s;
  std::int64_t duration = 0;
  if (auto e = api::silence_from_json(bytes, s, duration)) {
    touch(e->problem.field);
    touch(e->problem.message);
    touch(api::to_string(e->reason));
  } else {
    if (s.start_ms == 0) s.start_ms = now_ms;
    if (duration > 0) s.end_ms = s.start_ms + duration;
    if (auto p = suppression::compile(s)) {
      touch(p->message);
    } else {
      Alert a;
      a.resource = "db01";
      a.name = "disk_full";
      a.attributes = {{"mount", "/var"}};
      sink = suppression::matches(s, a);
      touch(boost::json::serialize(api::to_json(s, now_ms)));
    }
  }

  suppression::MaintenanceWindow w;
  if (auto e = api::window_from_json(bytes, w)) {
    touch(e->problem.field);
    touch(e->problem.message);
  } else if (auto p = suppression::validate(w)) {
    touch(p->message);
  } else {
    w.id = "1";
    sink = suppression::occurrence_at(w, now_ms).has_value();
    touch(boost::json::serialize(api::to_json(w, now_ms)));
  }
  return 0;
}
