#pragma once
// What every fuzz target does with a parser's output: reads every byte, so
// that ASan catches a read of freed or uninitialized memory and the
// optimizer cannot drop the work.

#include <cstddef>
#include <string_view>

#include "correlator/event.hpp"

namespace tocsin::fuzz {

inline volatile std::size_t sink;

inline void touch(std::string_view s) {
  std::size_t sum = s.size();
  for (char c : s) sum += static_cast<unsigned char>(c);
  sink = sum;
}

// Every string of an event the parser produced, and its fingerprint.
inline void touch(const Event& e) {
  for (const auto* s : {&e.name, &e.alert_key, &e.resource, &e.summary, &e.rule, &e.raw}) touch(*s);
  for (const auto& [k, v] : e.attributes) {
    touch(k);
    touch(v);
  }
  for (const auto& k : e.fingerprint_keys) touch(k);
  touch(fingerprint(e));
}

}  // namespace tocsin::fuzz
