// Fuzz target for the webhook allow-list: the first line is a URL, each
// further line an allow-list entry. Any bytes must end in a URL or a reason,
// and a URL is allowed only by an entry of its kind and port.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sinks/webhook/allow_list.hpp"

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tocsin::webhook;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const ParsedUrl url = parse_url(input.substr(0, nl));
  std::vector<AllowEntry> allow;
  for (std::string_view rest = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
       !rest.empty();) {
    const std::size_t end = rest.find('\n');
    auto entry = parse_allow_entry(rest.substr(0, end));
    require(entry.entry.has_value() != !entry.error.empty());
    if (entry.entry) allow.push_back(*entry.entry);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  if (!url.url) {
    require(!url.error.empty());
    return 0;
  }
  const Url& u = *url.url;
  require(u.port != 0 && !u.target.empty() && u.target.front() == '/');
  require(u.scheme == "http" || u.scheme == "https");
  if (const AllowEntry* e = allowed(u, allow)) {
    require(!e->port || *e->port == u.port);
    require(u.host_is_address ? e->name.empty() : e->name == u.host);
  }
  return 0;
}
