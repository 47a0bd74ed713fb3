#pragma once
// What the libcurl-based sinks (e-mail, SMS, webhook) share: the one-time
// global initialization and owning handles.

#include <curl/curl.h>

#include <memory>
#include <string>

namespace tocsin {

// curl_global_init once per process, before the first handle.
void curl_global_init_once();

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// `list` with `line` appended (a header or a recipient).
CurlList append(CurlList list, const std::string& line);

// A handle kept for the life of a sink, so connections are reused: reset to
// default options before each request (the connection cache survives a
// reset). Null when libcurl cannot create one.
CURL* reusable_handle(CurlHandle& handle);

}  // namespace tocsin
