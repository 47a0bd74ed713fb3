#pragma once
// The signed reply token of a page: "[TOC-12-1a2b3c4d]" in the subject names
// incident 12 and proves the mail answers a page Tocsin sent (the 8 hex
// digits are the start of HMAC-SHA256(secret, "12")). The e-mail sink adds
// it; the SMTP-in collector checks it before a reply may act on an incident.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::notify {

// "TOC-12-1a2b3c4d" (without brackets).
std::string reply_token(std::int64_t incident_id, std::string_view secret);

// The incident named by the first "[TOC-<id>-<hex>]" in `subject` when its
// signature is valid for `secret`; nullopt when there is no token or it is forged.
std::optional<std::int64_t> verify_reply_token(std::string_view subject, std::string_view secret);

}  // namespace tocsin::notify
