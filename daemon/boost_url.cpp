// Boost.URL is header-only on Debian: its implementation is compiled here, once.
#include <boost/url/src.hpp>
