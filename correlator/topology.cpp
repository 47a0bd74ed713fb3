// Walks of the dependency graph. The graph is acyclic (validated when the
// snapshot is built), but the walk still marks visited CIs: diamonds are common
// (a host behind two distribution switches behind one core).
#include "correlator/topology.hpp"

#include <algorithm>
#include <vector>

namespace tocsin {

namespace {
template <typename Visit>
std::int64_t breadth_first(const cmdb::Cmdb& db, std::uint32_t ci, Visit visit) {
  thread_local std::vector<std::uint32_t> queue;
  queue.clear();
  for (std::uint32_t u : db.upstream(ci)) queue.push_back(u);
  for (std::size_t i = 0; i < queue.size(); ++i) {
    std::uint32_t c = queue[i];
    if (std::find(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(i), c) !=
        queue.begin() + static_cast<std::ptrdiff_t>(i))
      continue;
    if (std::int64_t found = visit(c)) return found;
    for (std::uint32_t u : db.upstream(c)) queue.push_back(u);
    if (queue.size() > 4096) break;  // a pathological graph: give up rather than stall the pipeline
  }
  return 0;
}
}  // namespace

std::int64_t find_upstream(const cmdb::Cmdb& db, std::uint32_t ci,
                           const std::function<std::int64_t(std::uint32_t)>& lookup) {
  return breadth_first(db, ci, lookup);
}

bool depends_on(const cmdb::Cmdb& db, std::uint32_t ci, std::uint32_t candidate) {
  return breadth_first(db, ci, [&](std::uint32_t c) -> std::int64_t { return c == candidate ? 1 : 0; }) != 0;
}

}  // namespace tocsin
