// Fuzz target for MIME-to-event: any message bytes (after DATA) must end in
// an Event or a counted refusal, never a crash, within the MIME limits. Every
// field is read so that ASan catches a use after free of GMime's objects.

#include <cstddef>
#include <cstdint>
#include <string>

#include "collectors/email/decoder.hpp"

namespace {

volatile std::size_t sink;

class NullSink final : public tocsin::EventSink {
 public:
  std::size_t offer(std::vector<tocsin::Event>& events) override { return events.size(); }
  void submit(std::vector<tocsin::Event> events, std::function<void()> durable) override { durable(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tocsin::StatsRegistry stats;
  static tocsin::FakeClock clock;
  static NullSink events;
  static tocsin::email_in::Decoder decoder(tocsin::email_in::DecoderConfig{}, events, stats, clock);
  tocsin::email_in::Envelope envelope{"fuzz", "a@example.com", {"b@tocsin.test"}, false};
  tocsin::Event event;
  auto refused = decoder.decode(envelope, "127.0.0.1", std::string(reinterpret_cast<const char*>(data), size), event);
  std::size_t sum = refused ? refused->text.size() : 0;
  for (const auto* s : {&event.name, &event.resource, &event.summary, &event.raw}) sum += s->size();
  for (const auto& [k, v] : event.attributes) sum += k.size() + v.size();
  sink = sum;
  return 0;
}
