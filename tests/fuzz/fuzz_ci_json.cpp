// Fuzz target for the body of POST and PUT /api/v1/cmdb/cis: any bytes end in
// a CI or a list of problems, never a crash. A CI that reads and fits the
// limits is turned back into JSON, read again (it must be the same CI), diffed
// against an empty CI and validated as a one-CI CMDB overlay.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "correlator/cmdb/ci_json.hpp"
#include "correlator/cmdb/overlay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace json = boost::json;
  using namespace tocsin::cmdb;
  if (size > (1u << 20)) return 0;  // the API's body limit
  boost::system::error_code ec;
  json::value v = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !v.is_object()) return 0;
  CiDraft d;
  if (!ci_from_json(v.get_object(), d).empty() || !check_limits(d).empty()) return 0;
  json::object shown = ci_to_json(d.ci, d.ranges);
  CiDraft again;
  if (!ci_from_json(shown, again).empty() || !(again.ci == d.ci)) std::abort();
  json::object empty = ci_to_json(Ci{});
  (void)ci_field_diff(&empty, &shown);
  Overlay overlay;
  overlay[d.ci.id] = OverlayCi{std::move(d), 0, "fuzz"};
  tocsin::config::Errors errors;
  (void)build_with_overlay(nullptr, overlay, errors);
  return 0;
}
