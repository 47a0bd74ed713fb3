// Fuzz target for the reply parser: the first line of the input is the
// subject, the rest the body. Any bytes must end in a command or a reason.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/email/reply.hpp"

namespace {
volatile std::size_t sink;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = bytes.find('\n');
  const std::string_view subject = bytes.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view{} : bytes.substr(nl + 1);
  sink = tocsin::email_in::parse_reply(subject, body, "fuzz-secret").index();
  return 0;
}
