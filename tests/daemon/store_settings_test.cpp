// The store section: the SQLite page cache of each connection is bounded by
// store.cache_size (4 MiB unless set).
#include <gtest/gtest.h>

#include <fstream>

#include "daemon/settings.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

std::optional<Settings> load(const test::TempDir& dir, const std::string& yaml, config::Errors& errors) {
  const std::string path = dir.file("tocsin.yaml");
  std::ofstream(path) << yaml;
  return load_settings(path, errors);
}

TEST(StoreSettings, PageCacheIsEightMebibytesUnlessSet) {
  test::TempDir dir;
  config::Errors errors;
  auto s = load(dir, "store:\n  path: " + dir.file("t.db") + "\n", errors);
  ASSERT_TRUE(s) << (errors.messages().empty() ? "" : errors.messages()[0]);
  EXPECT_EQ(s->store_cache_kib, 8 * 1024);
  s = load(dir, "store:\n  path: " + dir.file("t.db") + "\n  cache_size: 64MiB\n", errors);
  ASSERT_TRUE(s) << (errors.messages().empty() ? "" : errors.messages()[0]);
  EXPECT_EQ(s->store_cache_kib, 64 * 1024);
}

TEST(StoreSettings, ACacheSizeThatIsNotASizeIsAnErrorWithItsLine) {
  test::TempDir dir;
  config::Errors errors;
  load(dir, "store:\n  cache_size: lots\n", errors);
  std::string all;
  for (const auto& m : errors.messages()) all += m + "\n";
  EXPECT_NE(all.find("tocsin.yaml:2: store.cache_size"), std::string::npos) << all;
}

}  // namespace
}  // namespace tocsin
