#pragma once
// The working state of the threshold, flapping and heartbeat rules inside the
// Correlator, with their counters. The Correlator applies their outcomes in
// correlator/rules/correlator_hooks.cpp.

#include "correlator/rules/flapping.hpp"
#include "correlator/rules/heartbeat.hpp"
#include "correlator/rules/rules_config.hpp"
#include "correlator/rules/threshold.hpp"
#include "correlator/stats.hpp"

namespace tocsin::rules {

struct RuleState {
  RuleState(StatsRegistry& stats, const RulesConfig& config);
  void configure(const RulesConfig& config);

  RulesConfig config;
  ThresholdGate threshold;
  FlapDetector flaps;
  Heartbeats heartbeats;

  Counter& threshold_held;
  Counter& threshold_reached;
  Counter& flapping_started;
  Counter& flapping_settled_resolved;
  Counter& flapping_settled_firing;
  Counter& heartbeats_missed;
  Counter& heartbeats_recovered;
};

}  // namespace tocsin::rules
