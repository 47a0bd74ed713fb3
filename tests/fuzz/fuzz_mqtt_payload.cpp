// Fuzz target for the MQTT payload parser: any topic and payload a broker
// delivers must end in Events or a counted rejection, never a crash, in every
// format and with a topic pattern and rules that read topic segments. The
// first byte picks the format, bytes up to the first NUL are the topic.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "collectors/mqtt/parser.hpp"
#include "tests/fuzz/touch.hpp"

namespace {

using tocsin::fuzz::sink;
using tocsin::fuzz::touch;

const tocsin::mqtt::Mapping& mapping(tocsin::mqtt::Format format) {
  static std::unique_ptr<tocsin::mqtt::Mapping> mappings[4];
  auto& m = mappings[static_cast<int>(format)];
  if (!m) {
    tocsin::mqtt::PayloadConfig c;
    c.format = format;
    c.topic_pattern = "site/+/device/+";
    c.limits.max_records = 50;
    c.limits.max_fields = 64;
    tocsin::RuleSpec rule;
    rule.name = "fuzz";
    rule.match = {{"topic_1", "^site$"}, {"message", R"((?P<word>\w+) (?P<number>\d+))"}};
    rule.event = "{word}";
    rule.resource = "{device}";
    rule.summary = "{word} {number} at {site}";
    c.rules = {rule};
    std::vector<std::string> errors;
    m = tocsin::mqtt::compile(c, errors);
  }
  return *m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto format = static_cast<tocsin::mqtt::Format>(data[0] % 4);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto nul = rest.find('\0');
  std::string_view topic = nul == std::string_view::npos ? std::string_view("site/s1/device/d1") : rest.substr(0, nul);
  std::string_view payload = nul == std::string_view::npos ? rest : rest.substr(nul + 1);
  auto r = tocsin::mqtt::parse(topic, payload, mapping(format));
  if (r.rejection) touch(tocsin::mqtt::to_string(*r.rejection));
  touch(r.detail);
  for (const auto& e : r.events) touch(e);
  return 0;
}
