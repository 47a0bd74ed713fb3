#pragma once
// Configuration of the HTTP webhook collector: the limits every JSON payload
// is checked against and how Alertmanager alerts map onto Events. The daemon
// fills it from the `http` section; the parser and the ingest stage read it.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "correlator/event.hpp"

namespace tocsin::http_ingest {

// Bounds on one request body, beyond the API's byte limit (`api.max_body`).
struct Limits {
  std::size_t max_events = 1000;      // events in one batch, alerts in one Alertmanager notification
  std::size_t max_attributes = 64;    // attributes (labels + annotations) of one event
  std::size_t max_name = 256;         // name, resource, clears, attribute and label names
  std::size_t max_value = 4096;       // summary, attribute values, any other string
  std::size_t max_fingerprint = 16;   // attribute names in one event's fingerprint
};

struct AlertmanagerConfig {
  // The first label present and not empty names the resource.
  std::vector<std::string> resource_labels{"instance", "job"};
  // Resource of alerts that carry none of `resource_labels`.
  std::string fallback_resource = "alertmanager";
  // Value of the `severity` label → Tocsin severity. Labels not listed (or
  // absent) get `default_severity`.
  std::vector<std::pair<std::string, Severity>> severity_map{
      {"critical", Severity::critical}, {"error", Severity::major},  {"major", Severity::major},
      {"minor", Severity::minor},       {"warning", Severity::warning}, {"info", Severity::info},
      {"none", Severity::info}};
  Severity default_severity = Severity::warning;
};

struct HttpCollectorConfig {
  bool enabled = true;
  Limits limits;
  AlertmanagerConfig alertmanager;
};

}  // namespace tocsin::http_ingest
