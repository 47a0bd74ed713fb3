// Boost.JSON is header-only on Debian: its implementation is compiled here, once.
#include <boost/json/src.hpp>
