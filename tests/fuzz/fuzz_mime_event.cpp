// Fuzz target for MIME-to-event, through the collector's real entry point
// (Decoder::submit, as the SMTP session calls it after DATA): any message
// bytes must end in one reply, an event or a counted refusal, never a crash,
// within the MIME limits. Replies to pages are recognized (a reply secret is
// set), so a subject with a reply token reaches the reply path too; the
// action sink refuses at once. Every field is read so that ASan catches a use
// after free of GMime's objects.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "collectors/email/decoder.hpp"

namespace {

volatile std::size_t sink;

std::size_t size_of(const tocsin::Event& e) {
  std::size_t sum = 0;
  for (const auto* s : {&e.name, &e.resource, &e.summary, &e.raw}) sum += s->size();
  for (const auto& [k, v] : e.attributes) sum += k.size() + v.size();
  return sum;
}

class ReadingSink final : public tocsin::EventSink {
 public:
  std::size_t offer(std::vector<tocsin::Event>& events) override { return events.size(); }
  void submit(std::vector<tocsin::Event> events, std::function<void()> durable) override {
    for (const auto& e : events) sink = size_of(e);
    durable();
  }
};

class RefusingActions final : public tocsin::ActionSink {
 public:
  void act(tocsin::IncidentAction action, tocsin::ActionDone done) override {
    sink = action.comment.size() + action.actor.size();
    done({404, "no such incident", std::nullopt});
  }
};

tocsin::email_in::DecoderConfig fuzz_config() {
  tocsin::email_in::DecoderConfig config;
  config.replies.secret = "fuzz-secret";
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tocsin::StatsRegistry stats;
  static tocsin::FakeClock clock;
  static ReadingSink events;
  static RefusingActions actions;
  static tocsin::email_in::Decoder decoder(fuzz_config(), events, stats, clock, &actions);
  tocsin::email_in::Envelope envelope{"fuzz", "a@example.com", {"b@tocsin.test"}, false};
  int replies = 0;
  decoder.submit(envelope, "127.0.0.1", std::string(reinterpret_cast<const char*>(data), size),
                 [&replies](tocsin::email_in::Reply r) {
                   ++replies;
                   sink = r.text.size();
                 });
  if (replies != 1) std::abort();  // the SMTP session waits for exactly one reply
  return 0;
}
