// Fuzz target for the reply SMS parser: any bytes end in a command with a
// positive incident id or a refusal reason.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sinks/sms/reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = tocsin::sms::parse_reply(text);
  if (auto* command = std::get_if<tocsin::sms::ReplyCommand>(&result))
    if (command->incident_id <= 0 || text.size() > tocsin::sms::max_reply_bytes) std::abort();
  return 0;
}
