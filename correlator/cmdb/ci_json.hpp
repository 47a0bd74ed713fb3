#pragma once
// A CI as a JSON object: what the API serves and accepts, and how the store
// keeps CIs made through the API. The fields and checks are those of the JSON
// CMDB files (json_loader.cpp), so a CI reads the same from a file or a request.

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "correlator/cmdb/fields.hpp"

namespace tocsin::cmdb {

// `ranges` are the CIDR rules naming the CI; they are listed in `addresses`
// as prefixes, as the files may write them.
boost::json::object ci_to_json(const Ci& ci, const std::vector<Cidr>& ranges = {});

// Reads one CI object into `out`; returns what is wrong, one message per
// field (empty when it is a valid CI). The name defaults to the id.
std::vector<std::string> ci_from_json(const boost::json::object& object, CiDraft& out);

// Bounds on a CI that comes over the network (the API), beyond the body size.
struct CiLimits {
  std::size_t max_id = 256;
  std::size_t max_text = 4096;   // any other string
  std::size_t max_items = 1024;  // entries of each list
  std::size_t max_attributes = 256;
};
// What exceeds the limits, or an empty string.
std::string check_limits(const CiDraft& ci, const CiLimits& limits = {});

// {field: {"before": ..., "after": ...}} for every field whose value differs;
// a side that does not exist (creation, removal) is null. The id is the
// identity and is reported only on creation and removal.
boost::json::object ci_field_diff(const boost::json::object* before, const boost::json::object* after);

}  // namespace tocsin::cmdb
