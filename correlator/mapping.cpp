// Compiled mapping rules: RE2 matchers and pre-split templates.
#include "correlator/mapping.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>

namespace tocsin {

const std::string_view* Fields::get(std::string_view name) const {
  // Later entries win: captures and rule attributes override collector fields.
  for (auto it = items_.rbegin(); it != items_.rend(); ++it)
    if (it->first == name) return &it->second;
  return nullptr;
}

Template::Template(std::string_view text) {
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '{') {
      auto close = text.find('}', i);
      if (close != std::string_view::npos) {
        if (!literal.empty()) parts_.emplace_back(false, std::move(literal));
        literal.clear();
        parts_.emplace_back(true, std::string(text.substr(i + 1, close - i - 1)));
        i = close;
        continue;
      }
    }
    literal += c;
  }
  if (!literal.empty()) parts_.emplace_back(false, std::move(literal));
}

void Template::render_to(const Fields& fields, std::string& out) const {
  for (const auto& [is_field, text] : parts_) {
    if (!is_field) {
      out += text;
    } else if (const auto* v = fields.get(text)) {
      out += *v;
    }
  }
}

std::string Template::render(const Fields& fields) const {
  if (parts_.size() == 1 && !parts_[0].first) return parts_[0].second;
  // Built in a buffer kept per thread, then copied once at its final size.
  thread_local std::string buffer;
  buffer.clear();
  render_to(fields, buffer);
  return buffer;
}

std::vector<std::string> Template::references() const {
  std::vector<std::string> out;
  for (const auto& [is_field, text] : parts_)
    if (is_field) out.push_back(text);
  return out;
}

struct RuleSet::Rule {
  struct Matcher {
    std::string field;
    std::unique_ptr<re2::RE2> re;
    std::vector<std::pair<int, std::string>> groups;  // capture index → name
    int submatches = 0;  // capture slots a match fills: up to the last named group
  };
  std::string name;
  std::vector<Matcher> matchers;
  Template event, severity, resource, summary, clears;
  std::optional<Severity> fixed_severity;  // when the severity template is a literal
  EventKind kind = EventKind::problem;
  std::vector<std::string> fingerprint;
  std::vector<std::pair<std::string, Template>> attributes;
  RuleOptions options;
  bool prefiltered = false;  // tried only when every pattern matched in its field's Prefilter
};

// All the patterns on one field in one RE2::Set: a single scan of the value
// tells which of them match, so a line is matched with captures only against
// the rules that can match it.
struct RuleSet::Prefilter {
  std::string field;
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<std::size_t> rule_of;  // by pattern index in the set
  bool compiled = false;             // else every pattern of the field is tried
};

namespace {
re2::RE2::Options pattern_options() {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  return options;
}
}  // namespace

RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
std::size_t RuleSet::size() const { return rules_.size(); }

RuleSet RuleSet::compile(const std::vector<RuleSpec>& specs, std::vector<std::string>& errors) {
  RuleSet set;
  for (const auto& spec : specs) {
    auto rule = std::make_unique<Rule>();
    rule->name = spec.name;
    std::string where = spec.origin.empty() ? "rule '" + spec.name + "'" : spec.origin + ": rule '" + spec.name + "'";
    bool ok = true;
    for (const auto& [field, pattern] : spec.match) {
      auto re = std::make_unique<re2::RE2>(pattern, pattern_options());
      if (!re->ok()) {
        errors.push_back(where + ": match." + field + ": bad pattern: " + re->error());
        ok = false;
        continue;
      }
      Rule::Matcher m{field, std::move(re), {}};
      for (const auto& [group, index] : m.re->NamedCapturingGroups()) {
        m.groups.emplace_back(index, group);
        m.submatches = std::max(m.submatches, index + 1);
      }
      rule->matchers.push_back(std::move(m));
    }
    auto kind = parse_event_kind(spec.kind.empty() ? "problem" : spec.kind);
    if (!kind) {
      errors.push_back(where + ": kind '" + spec.kind + "' is not one of problem, clear, info");
      ok = false;
    }
    rule->kind = kind.value_or(EventKind::problem);
    if (spec.event.empty()) {
      errors.push_back(where + ": 'event' is required (the event name, e.g. interface_down)");
      ok = false;
    }
    std::string severity =
        spec.severity.empty() ? (rule->kind == EventKind::clear ? "clear" : "{severity}") : spec.severity;
    rule->severity = Template(severity);
    if (rule->severity.is_literal()) rule->fixed_severity = parse_severity(severity);
    if (rule->severity.is_literal() && !rule->fixed_severity) {
      errors.push_back(where + ": severity '" + severity +
                       "' is not one of clear, info, warning, minor, major, critical");
      ok = false;
    }
    if (rule->kind == EventKind::clear && spec.clears.empty()) {
      errors.push_back(where + ": a clear rule needs 'clears' (the event name of the problem it resolves)");
      ok = false;
    }
    rule->event = Template(spec.event);
    rule->resource = Template(spec.resource.empty() ? "{host}" : spec.resource);
    rule->summary = Template(spec.summary.empty() ? "{message}" : spec.summary);
    rule->clears = Template(spec.clears);
    rule->fingerprint = spec.fingerprint;
    rule->options = spec.options;
    for (const auto& [name, text] : spec.attributes) rule->attributes.emplace_back(name, Template(text));
    if (!ok) continue;
    std::size_t added = rule->attributes.size();
    for (const auto& m : rule->matchers) added += m.groups.size();
    set.max_attributes_added_ = std::max(set.max_attributes_added_, added);
    set.rules_.push_back(std::move(rule));
  }
  set.build_prefilters();
  return set;
}

void RuleSet::build_prefilters() {
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    Rule& rule = *rules_[r];
    // Captures are added to the fields as a rule matches: a pattern that reads
    // what an earlier one of its rule captured cannot be tested beforehand.
    rule.prefiltered = true;
    for (std::size_t i = 0; i < rule.matchers.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (rule.matchers[j].re->NamedCapturingGroups().count(rule.matchers[i].field)) rule.prefiltered = false;
    if (!rule.prefiltered) continue;
    for (const auto& m : rule.matchers) {
      auto it = std::find_if(prefilters_.begin(), prefilters_.end(),
                             [&](const Prefilter& p) { return p.field == m.field; });
      if (it == prefilters_.end()) {
        prefilters_.push_back(
            Prefilter{m.field, std::make_unique<re2::RE2::Set>(pattern_options(), re2::RE2::UNANCHORED), {}});
        it = prefilters_.end() - 1;
      }
      [[maybe_unused]] int index = it->set->Add(m.re->pattern(), nullptr);
      assert(index == static_cast<int>(it->rule_of.size()));  // it compiled alone
      it->rule_of.push_back(r);
    }
  }
  for (auto& p : prefilters_) p.compiled = p.set->Compile();
}

namespace {
// A rule's count in prefilter() carries this bit when a field's Set gave no
// verdict: its patterns must then all be run, captures or not.
constexpr std::uint32_t kUnverified = 1u << 31;
}  // namespace

void RuleSet::prefilter(const Fields& fields, std::vector<std::uint32_t>& matched) const {
  matched.assign(rules_.size(), 0);
  thread_local std::vector<int> hits;
  for (const auto& p : prefilters_) {
    const std::string_view* value = fields.get(p.field);
    if (!value) continue;
    const re2::StringPiece text(value->data(), value->size());
    re2::RE2::Set::ErrorInfo error{};
    // Whether any pattern matches is a scan that stops at the first match and
    // allocates nothing; which ones match is asked only when some does.
    bool any = p.compiled && p.set->Match(text, nullptr, &error);
    hits.clear();
    if (any && p.rule_of.size() == 1) {
      hits.push_back(0);
    } else if (any) {
      any = p.set->Match(text, &hits, &error);
    }
    if (!p.compiled || (!any && error.kind != re2::RE2::Set::kNoError)) {
      for (auto r : p.rule_of) matched[r] = (matched[r] + 1) | kUnverified;  // no verdict: try every pattern
      continue;
    }
    for (int i : hits) ++matched[p.rule_of[static_cast<std::size_t>(i)]];
  }
}

bool RuleSet::apply(Fields& fields, Event& event) const {
  const std::size_t base = fields.size();
  thread_local std::vector<std::uint32_t> patterns_matched;  // by rule
  prefilter(fields, patterns_matched);
  thread_local std::vector<re2::StringPiece> groups;
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    const auto& rule = rules_[r];
    if (rule->prefiltered && (patterns_matched[r] & ~kUnverified) < rule->matchers.size()) continue;
    // The Set's verdict is the pattern's own: one that captures nothing is not run again.
    const bool verified = rule->prefiltered && !(patterns_matched[r] & kUnverified);
    bool matched = true;
    for (const auto& m : rule->matchers) {
      if (verified && m.groups.empty()) continue;
      const std::string_view* value = fields.get(m.field);
      if (!value) {
        matched = false;
        break;
      }
      groups.assign(static_cast<std::size_t>(m.submatches), {});
      if (!m.re->Match(re2::StringPiece(value->data(), value->size()), 0, value->size(), re2::RE2::UNANCHORED,
                       groups.data(), m.submatches)) {
        matched = false;
        break;
      }
      for (const auto& [index, name] : m.groups) {
        const auto& g = groups[static_cast<std::size_t>(index)];
        if (g.data()) fields.add(name, std::string_view(g.data(), g.size()));
      }
    }
    if (!matched) {
      fields.truncate(base);
      continue;
    }
    event.rule = rule->name;
    event.kind = rule->kind;
    event.name = rule->event.render(fields);
    event.alert_key = rule->kind == EventKind::clear ? rule->clears.render(fields) : event.name;
    if (rule->fixed_severity) {
      event.severity = *rule->fixed_severity;
    } else {
      thread_local std::string severity;
      severity.clear();
      rule->severity.render_to(fields, severity);
      event.severity = parse_severity(severity).value_or(Severity::warning);
    }
    if (rule->kind == EventKind::clear) event.severity = Severity::clear;
    event.resource = rule->resource.render(fields);
    event.summary = rule->summary.render(fields);
    event.fingerprint_keys = rule->fingerprint;
    event.options = rule->options;
    event.attributes.reserve(event.attributes.size() + (fields.size() - base) + rule->attributes.size());
    for (std::size_t i = base; i < fields.size(); ++i)
      event.attributes.emplace_back(std::string(fields.items()[i].first), std::string(fields.items()[i].second));
    for (const auto& [name, tmpl] : rule->attributes) event.attributes.emplace_back(name, tmpl.render(fields));
    return true;
  }
  return false;
}

}  // namespace tocsin
