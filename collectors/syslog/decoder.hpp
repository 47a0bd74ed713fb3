#pragma once
// The syslog collector's decoding stage: frames from the transport are parsed
// (RFC 5424 / RFC 3164), run through the mapping rules and handed to the
// pipeline as Events. Runs on the transport's threads; the rules are swapped
// whole on reload.

#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/frame_handler.hpp"
#include "collectors/syslog/parser.hpp"
#include "correlator/clock.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/mapping.hpp"
#include "correlator/stats.hpp"

namespace tocsin::syslog {

// What becomes of a message that no rule matches.
enum class Unmatched { record, alert, discard };

struct DecoderConfig {
  std::vector<RuleSpec> rules;  // user rules, tried first
  bool default_rules = true;    // then the built-in rules
  Unmatched unmatched = Unmatched::record;
  Limits limits;
};

std::vector<RuleSpec> default_rules();

// Severity of a syslog severity code (0 emerg .. 7 debug) on Tocsin's scale.
Severity severity_of(int syslog_severity);

class Decoder final : public FrameHandler {
 public:
  Decoder(const DecoderConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock);
  // Swaps in a new configuration (already validated).
  void reconfigure(const DecoderConfig& config);

  void offer(std::span<const FrameView> frames) override;
  void submit(std::span<const FrameView> frames, std::function<void()> durable) override;

  // Decodes one frame into `out`; false when the frame is rejected or discarded
  // (counted). Exposed for benchmarks and tests.
  bool decode(const FrameView& frame, Event& out);

 private:
  struct Compiled {
    RuleSet rules;
    Unmatched unmatched;
    Limits limits;
  };
  std::shared_ptr<const Compiled> current() const;
  bool decode(const Compiled& compiled, const FrameView& frame, std::int64_t received_at_ms, Event& out);
  std::vector<Event> decode_all(std::span<const FrameView> frames);

  EventSink& sink_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Compiled> compiled_;

  StatsRegistry& stats_;
  Counter& received_;
  Counter& accepted_;
  Counter& unmatched_;
  Counter& discarded_;
  Counter& dropped_queue_;
  std::array<Counter*, std::size(all_reject_reasons)> rejected_{};  // by RejectReason
};

}  // namespace tocsin::syslog
