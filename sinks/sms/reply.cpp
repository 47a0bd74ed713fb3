// Reply commands and delivery report types from the SMS gateway.
#include "sinks/sms/reply.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

namespace tocsin::sms {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::optional<ReplyVerb> keyword(std::string_view word) {
  std::string w = upper(word);
  if (w == "ACK" || w == "A" || w == "ACKNOWLEDGE") return ReplyVerb::acknowledge;
  if (w == "RES" || w == "R" || w == "RESOLVE") return ReplyVerb::resolve;
  return std::nullopt;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// An incident id word: digits with an optional '#'. 0 when the digits do not fit or are 0.
std::optional<std::int64_t> incident_word(std::string_view word, bool& bad) {
  if (word.starts_with('#')) word.remove_prefix(1);
  if (!all_digits(word)) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec != std::errc{} || p != word.data() + word.size() || v <= 0) {
    bad = true;
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::string_view to_string(ReplyRefusal r) {
  switch (r) {
    case ReplyRefusal::empty:
      return "empty";
    case ReplyRefusal::too_long:
      return "too_long";
    case ReplyRefusal::not_a_command:
      return "not_a_command";
    case ReplyRefusal::bad_incident:
      return "bad_incident";
  }
  return "not_a_command";
}

std::variant<ReplyCommand, ReplyRefusal> parse_reply(std::string_view text) {
  if (text.size() > max_reply_bytes) return ReplyRefusal::too_long;
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
    if (words.size() > 2) return ReplyRefusal::not_a_command;
  }
  if (words.empty()) return ReplyRefusal::empty;
  if (words.size() != 2) return ReplyRefusal::not_a_command;
  if (words[1].size() > 1 && (words[1].back() == '.' || words[1].back() == '!')) words[1].remove_suffix(1);
  bool bad = false;
  for (auto [verb_word, id_word] : {std::pair{words[0], words[1]}, std::pair{words[1], words[0]}}) {
    auto verb = keyword(verb_word);
    if (!verb) continue;
    if (auto id = incident_word(id_word, bad)) return ReplyCommand{*id, *verb};
  }
  return bad ? ReplyRefusal::bad_incident : ReplyRefusal::not_a_command;
}

std::optional<std::string> foreign_id(std::string_view param) {
  if (param == "%F") return std::string();
  if (param.size() > max_foreign_id_bytes) return std::nullopt;
  if (!std::all_of(param.begin(), param.end(), [](char c) { return c > 0x20 && c < 0x7f; })) return std::nullopt;
  return std::string(param);
}

std::optional<std::string_view> delivery_status(int type) {
  switch (type) {
    case 1:
      return "delivered";
    case 2:
      return "failed";
    case 4:
      return "buffered";
    case 8:
      return "accepted";
    case 16:
      return "rejected";
    default:
      return std::nullopt;
  }
}

bool replaces(std::string_view current, std::string_view next) {
  auto final = [](std::string_view s) { return s == "delivered" || s == "failed" || s == "rejected"; };
  return !final(current) || final(next);
}

}  // namespace tocsin::sms
