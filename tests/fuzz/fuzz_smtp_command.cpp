// Fuzz target for the SMTP command parser and session: arbitrary command
// lines from the network must end in a reply, never a crash; the same bytes
// fed as DATA content must end in a message or a counted refusal.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/email/session.hpp"

namespace {

volatile std::size_t sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tocsin::email_in::SessionConfig config;
  config.accepted_domains = {"tocsin.test"};
  config.tls_available = true;
  config.limits.max_recipients = 3;
  tocsin::email_in::Session session(config);
  std::string_view rest = bytes;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto step = session.on_line(rest.substr(0, nl));
    sink = render(step.reply).size() + step.rejected.size();
    if (step.after == tocsin::email_in::After::read_data) session.end_transaction();
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  tocsin::email_in::SmtpLimits limits;
  limits.max_message = 4096;
  limits.max_data_line = 100;
  tocsin::email_in::DataReader reader(limits);
  std::size_t used = reader.feed(bytes);
  sink = used + reader.message().size() + static_cast<std::size_t>(reader.problem());
  return 0;
}
