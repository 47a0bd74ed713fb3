#pragma once
// Where collectors hand their Events: the pipeline's bounded queue. Lossy
// inputs offer (what does not fit is dropped and counted by the caller);
// acknowledged inputs submit and learn when the events are durable.

#include <cstddef>
#include <functional>
#include <vector>

#include "correlator/event.hpp"

namespace tocsin {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Takes as many events as the queue has room for, from the front; returns
  // how many. Never blocks.
  virtual std::size_t offer(std::vector<Event>& events) = 0;
  // Takes every event; `durable` runs once, on another thread, after they are
  // committed. Callers bound what they have in flight (one read per connection).
  virtual void submit(std::vector<Event> events, std::function<void()> durable) = 0;
};

}  // namespace tocsin
