// Fuzz target for the bodies of POST and PUT /api/v1/people and
// /api/v1/groups: any bytes must end in a validated person or group or a
// rejection naming a reason, never a crash. An accepted entry must be
// accepted back as the JSON the API answers with, and its strings are read
// so that ASan catches a view into the parsed document.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/people_api.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  tocsin::api::PeopleLimits limits;
  for (auto path_id : {std::optional<std::string_view>{}, std::optional<std::string_view>{"alice"}}) {
    auto p = tocsin::api::parse_person(body, path_id, limits);
    if (auto* r = std::get_if<tocsin::oncall::Person>(&p)) {
      touch(r->id);
      touch(r->name);
      touch(r->time_zone);
      for (const auto& c : r->contacts) touch(c.address);
      if (r->id.empty() || r->contacts.size() > limits.max_contacts || (path_id && r->id != *path_id))
        __builtin_trap();
      auto again = tocsin::api::parse_person(boost::json::serialize(tocsin::api::to_json(*r)), r->id, limits);
      if (!std::holds_alternative<tocsin::oncall::Person>(again)) __builtin_trap();
    } else {
      const auto& refusal = std::get<tocsin::api::BodyRefusal>(p);
      touch(refusal.error.message);
      if (refusal.reason.empty()) __builtin_trap();
    }
    auto g = tocsin::api::parse_group(body, path_id, limits);
    if (auto* r = std::get_if<tocsin::oncall::Group>(&g)) {
      touch(r->id);
      touch(r->lead);
      for (const auto& m : r->members) touch(m);
      if (r->members.size() > limits.max_members) __builtin_trap();
      auto again = tocsin::api::parse_group(boost::json::serialize(tocsin::api::to_json(*r)), r->id, limits);
      if (!std::holds_alternative<tocsin::oncall::Group>(again)) __builtin_trap();
    } else {
      touch(std::get<tocsin::api::BodyRefusal>(g).error.field);
    }
  }
  return 0;
}
