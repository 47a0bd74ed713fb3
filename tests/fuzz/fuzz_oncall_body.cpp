// Fuzz target for the bodies of POST /api/v1/oncall/overrides and
// POST /api/v1/oncall/log: any bytes must end in a validated record or a
// rejection naming a field, never a crash. The accepted record's strings are
// read so that ASan catches a view into the parsed document.

#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/oncall_api.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

const tocsin::oncall::Snapshot& directory() {
  static const tocsin::oncall::Snapshot d = [] {
    tocsin::oncall::RosterData data;
    data.people.push_back({"alice", "Alice", {{"sms", "+33639980001"}}, "Europe/Paris"});
    data.people.push_back({"bob", "Bob", {{"email", "bob@example.net"}}, ""});
    data.groups.push_back({"noc", "NOC", {"alice", "bob"}, "alice", "bob"});
    return tocsin::oncall::Snapshot(std::move(data));
  }();
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  tocsin::api::OncallLimits limits;
  constexpr std::int64_t now = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  auto o = tocsin::api::parse_override(body, &directory(), now, limits);
  if (auto* r = std::get_if<tocsin::oncall::StoredOverride>(&o)) {
    touch(r->group);
    touch(r->person);
    touch(r->reason);
    if (r->to_ms <= r->from_ms || r->to_ms <= now || r->reason.size() > limits.max_reason) __builtin_trap();
  } else {
    touch(std::get<tocsin::api::FieldError>(o).message);
  }
  auto n = tocsin::api::parse_duty_note(body, &directory(), limits);
  if (auto* r = std::get_if<tocsin::oncall::DutyNote>(&n)) {
    touch(r->text);
    if (r->text.size() > limits.max_note) __builtin_trap();
  } else {
    touch(std::get<tocsin::api::FieldError>(n).field);
  }
  return 0;
}
