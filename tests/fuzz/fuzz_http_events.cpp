// Fuzz target for the generic JSON shape of POST /api/v1/events: any body
// must end in Events or a rejection naming a field, never a crash, with the
// default limits and with tight ones. Every string of every Event is read so
// that ASan catches a view that outlived the parsed document.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/http/parser.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

void touch(const tocsin::http_ingest::ParseResult& r) {
  if (r.rejection) {
    touch(r.rejection->field);
    touch(r.rejection->message);
    touch(tocsin::http_ingest::to_string(r.rejection->reason));
    return;
  }
  for (const auto& e : r.events) touch(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  touch(tocsin::http_ingest::parse_events(bytes));
  tocsin::http_ingest::Limits tight;
  tight.max_events = 2;
  tight.max_attributes = 1;
  tight.max_name = 4;
  tight.max_value = 8;
  tight.max_fingerprint = 1;
  touch(tocsin::http_ingest::parse_events(bytes, tight));
  touch(std::to_string(tocsin::http_ingest::parse_rfc3339(bytes).value_or(0)));
  return 0;
}
