#pragma once
// Mapping rules: configurable matchers (RE2 patterns on the fields a collector
// parsed) that turn an input into an Event: name, kind, severity, resource,
// summary, the alert key a clear resolves, and the attributes that identify
// the object (fingerprint). RE2 runs in linear time, so a hostile line cannot
// stall the pipeline.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "correlator/event.hpp"

namespace tocsin {

// The fields of one input as the collector parsed them. Rules read them; named
// capture groups of matching patterns are added to them.
class Fields {
 public:
  void add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }
  const std::string_view* get(std::string_view name) const;
  const std::vector<std::pair<std::string_view, std::string_view>>& items() const { return items_; }
  void truncate(std::size_t n) { items_.resize(n); }
  void clear() { items_.clear(); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> items_;
};

struct RuleSpec {
  std::string name;
  std::string origin;  // "file:line" of the rule, for error messages
  std::vector<std::pair<std::string, std::string>> match;  // field → pattern (partial match)
  std::string event;     // template, e.g. "interface_down"
  std::string kind;      // problem | clear | info
  std::string severity;  // a severity name, or a template such as "{severity}"
  std::string resource;  // template, e.g. "{hostname}"
  std::string summary;   // template
  std::string clears;    // for kind clear: the alert key it resolves (template)
  std::vector<std::string> fingerprint;                          // attribute names
  std::vector<std::pair<std::string, std::string>> attributes;  // name → template
  RuleOptions options;  // threshold and flapping (correlator/rules/)
};

// "{name}" is replaced by the field's value; "{{" and "}}" are literal braces.
class Template {
 public:
  Template() = default;
  explicit Template(std::string_view text);
  std::string render(const Fields& fields) const;
  // Appends the rendered text to `out`.
  void render_to(const Fields& fields, std::string& out) const;
  bool empty() const { return parts_.empty(); }
  bool is_literal() const { return parts_.size() == 1 && !parts_[0].first; }
  std::vector<std::string> references() const;

 private:
  std::vector<std::pair<bool, std::string>> parts_;  // (is_field, text)
};

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;

  // Compiles the rules; bad patterns, kinds and severities are reported with
  // the rule's origin and the rule is left out.
  static RuleSet compile(const std::vector<RuleSpec>& specs, std::vector<std::string>& errors);

  // The first matching rule fills `event` (name, alert key, kind, severity,
  // resource, summary, fingerprint keys, rule, and the captured and configured
  // attributes). Returns false when no rule matches; `fields` then keeps only
  // what the collector put in.
  bool apply(Fields& fields, Event& event) const;
  std::size_t size() const;
  // The most attributes apply() adds to an event (captures and configured
  // attributes of one rule), so that the caller can reserve room for them.
  std::size_t max_attributes_added() const { return max_attributes_added_; }

 private:
  struct Rule;
  struct Prefilter;
  void build_prefilters();
  // Counts by rule how many of its patterns match their field.
  void prefilter(const Fields& fields, std::vector<std::uint32_t>& matched) const;

  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<Prefilter> prefilters_;  // one per matched field
  std::size_t max_attributes_added_ = 0;
};

}  // namespace tocsin
