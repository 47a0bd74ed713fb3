#pragma once
// Syslog parser: the pure first stage of the syslog collector. One frame from
// the transport (framing already removed) goes in; a Message or the reason it
// was rejected comes out. The mapping rules turn a Message into an Event.
// No exceptions and no I/O: it runs on the data path for every line.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::syslog {

enum class Format : std::uint8_t { rfc5424, rfc3164 };

// One value per rejection counter label. RFC 3164 input is accepted as sent
// whenever a PRI is valid, so most reasons are reached only by RFC 5424 lines.
enum class RejectReason : std::uint8_t {
  empty,                 // nothing but CR/LF/NUL, or a PRI with nothing after it
  too_long,              // longer than Limits::max_message
  bad_pri,               // "<" not followed by 0..191 and ">"
  truncated,             // RFC 5424 header ends before the structured data
  bad_version,           // RFC 5424-shaped header with a version other than 1
  bad_timestamp,         // RFC 5424 TIMESTAMP that is not RFC 3339 as §6.2.3 restricts it
  bad_header,            // RFC 5424 HOSTNAME/APP-NAME/PROCID/MSGID empty, too long or not printable
  bad_structured_data,   // RFC 5424 §6.3 syntax error
  too_many_sd_elements,  // more SD-ELEMENTs than Limits::max_sd_elements
};

inline constexpr RejectReason all_reject_reasons[] = {
    RejectReason::empty,       RejectReason::too_long,      RejectReason::bad_pri,
    RejectReason::truncated,   RejectReason::bad_version,   RejectReason::bad_timestamp,
    RejectReason::bad_header,  RejectReason::bad_structured_data,
    RejectReason::too_many_sd_elements,
};

std::string_view to_string(RejectReason reason);

struct SdParam {
  std::string name;
  std::string value;  // escapes (\" \\ \]) removed
};

struct SdElement {
  std::string id;
  std::vector<SdParam> params;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Message {
  Format format = Format::rfc3164;
  int facility = 1;  // 0..23
  int severity = 5;  // 0..7
  std::string timestamp;          // as sent; "" when absent (RFC 3164), "-" for the RFC 5424 NILVALUE
  std::int64_t timestamp_ms = 0;  // epoch ms when year and zone are known, else 0
  std::string hostname;           // "" when the sender put none (or "-")
  std::string app_name;           // RFC 5424 APP-NAME, RFC 3164 TAG or vendor message tag
  std::string proc_id;
  std::string msg_id;
  std::vector<SdElement> structured_data;
  std::string message;  // MSG with bytes intact, a leading UTF-8 BOM removed
  Fields fields;        // vendor fields (cisco_*, vrp_*, junos_tag, FortiGate key=value)
  bool fields_truncated = false;  // more vendor fields than Limits::max_fields were sent

  const std::string* field(std::string_view name) const;
};

struct Limits {
  std::size_t max_message = 64 * 1024;
  std::size_t max_sd_elements = 64;
  std::size_t max_fields = 128;
};

// `reason` is meaningful only when `message` is empty.
struct ParseResult {
  std::optional<Message> message;
  RejectReason reason = RejectReason::empty;
};

ParseResult parse(std::string_view bytes, const Limits& limits = {});

// The same message as views over the frame's bytes, for the data path: parsing
// into one MessageView after another reuses its buffers, so a line costs no
// heap allocation once they have grown. What the parser has to build (SD-PARAM
// values without their escapes, a FortiGate "date time") lives in `text`.
// The views are valid while the bytes live and until the next parse into the
// same MessageView, which is neither copied nor moved.
struct SdParamView {
  std::string_view name;
  std::string_view value;
};

struct SdElementView {
  std::string_view id;
  std::size_t first_param = 0;  // index in MessageView::sd_params
  std::size_t param_count = 0;
};

struct MessageView {
  MessageView() = default;
  MessageView(const MessageView&) = delete;
  MessageView& operator=(const MessageView&) = delete;

  Format format = Format::rfc3164;
  int facility = 1;
  int severity = 5;
  std::string_view timestamp;
  std::int64_t timestamp_ms = 0;
  std::string_view hostname;
  std::string_view app_name;
  std::string_view proc_id;
  std::string_view msg_id;
  std::vector<SdElementView> structured_data;
  std::vector<SdParamView> sd_params;
  std::string_view message;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  bool fields_truncated = false;
  std::string text;

  const std::string_view* field(std::string_view name) const;
  std::span<const SdParamView> params(const SdElementView& element) const {
    return std::span(sd_params).subspan(element.first_param, element.param_count);
  }
};

// Parses `bytes` into `out` (as parse() does); the reason when it is rejected,
// and then `out` holds no part of an earlier line.
std::optional<RejectReason> parse(std::string_view bytes, const Limits& limits, MessageView& out);

}  // namespace tocsin::syslog
