// Fuzz target for the syslog parser: arbitrary bytes from the network must end
// in a Message or a counted rejection, never a crash. Every field of an
// accepted Message is read so that ASan catches a view that outlived its bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/syslog/parser.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

void touch(const tocsin::syslog::Message& m) {
  sink = static_cast<std::size_t>(m.facility + m.severity + m.timestamp_ms) + static_cast<std::size_t>(m.format);
  for (const auto* s : {&m.timestamp, &m.hostname, &m.app_name, &m.proc_id, &m.msg_id, &m.message}) touch(*s);
  for (const auto& element : m.structured_data) {
    touch(element.id);
    for (const auto& param : element.params) {
      touch(param.name);
      touch(param.value);
    }
  }
  for (const auto& [key, value] : m.fields) {
    touch(key);
    touch(value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto result = tocsin::syslog::parse(bytes);
  if (result.message) {
    touch(*result.message);
  } else {
    touch(tocsin::syslog::to_string(result.reason));
  }
  tocsin::syslog::Limits tight;
  tight.max_sd_elements = 1;
  tight.max_fields = 1;
  if (const auto limited = tocsin::syslog::parse(bytes, tight); limited.message) touch(*limited.message);
  return 0;
}
