#pragma once
// Boundary between a collector's transport (sockets, framing, TLS) and its
// decoding (parser + mapping rules → Event → pipeline). Transports deliver
// frames in batches; the handler parses synchronously, so the views only need
// to live for the duration of the call.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace tocsin {

struct FrameView {
  std::string_view data;  // one message, framing removed
  std::string_view peer;  // sender address "ip" (no port)
};

class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  // Lossy inputs (UDP): cannot be acknowledged. Whatever cannot be queued is
  // dropped and counted by the handler.
  virtual void offer(std::span<const FrameView> frames) = 0;
  // Acknowledged inputs (TCP, TLS): `durable` runs exactly once, on any thread,
  // when every frame of the batch is committed or rejected. The transport reads
  // no more from that connection until then (backpressure).
  virtual void submit(std::span<const FrameView> frames, std::function<void()> durable) = 0;
};

}  // namespace tocsin
