#include "sinks/curl.hpp"

namespace tocsin {

void curl_global_init_once() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

CurlList append(CurlList list, const std::string& line) {
  // On failure libcurl leaves the list as it was and returns null.
  if (curl_slist* grown = curl_slist_append(list.get(), line.c_str())) {
    (void)list.release();
    return CurlList(grown);
  }
  return list;
}

CURL* reusable_handle(CurlHandle& handle) {
  if (!handle) handle.reset(curl_easy_init());
  else curl_easy_reset(handle.get());
  return handle.get();
}

}  // namespace tocsin
