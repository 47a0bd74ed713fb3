// Text and Label: the compact string values of the records held in memory.
#include "correlator/text.hpp"

#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(TextTest, ReadsAsTheStringItWasMadeOf) {
  Text t = std::string("host-17 is down");
  EXPECT_EQ(t, "host-17 is down");
  EXPECT_EQ(t.size(), 15u);
  EXPECT_EQ(std::string_view(t), "host-17 is down");
  EXPECT_EQ(t.str(), std::string("host-17 is down"));
  EXPECT_EQ("[" + t + "]", "[host-17 is down]");
  EXPECT_EQ(sizeof(Text), 8u);
  EXPECT_EQ(sizeof(Label), 8u);
}

TEST(TextTest, EmptyIsEmptyWhateverItWasMadeOf) {
  EXPECT_TRUE(Text().empty());
  EXPECT_TRUE(Text("").empty());
  EXPECT_TRUE(Label(std::string()).empty());
  EXPECT_EQ(Text(), "");
  EXPECT_EQ(Text(), Label());
  ASSERT_NE(Text().data(), nullptr);  // bound as '' by the store, not as NULL
}

TEST(TextTest, CopiesShareOneBlockAndOutliveTheOriginal) {
  Text copy;
  {
    Text summary("router-3 unreachable");
    copy = summary;
    EXPECT_TRUE(copy.same_block(summary));
  }
  EXPECT_EQ(copy, "router-3 unreachable");
  Text moved = std::move(copy);
  EXPECT_TRUE(copy.empty());  // NOLINT: a moved-from Text is empty
  EXPECT_EQ(moved, "router-3 unreachable");
}

TEST(TextTest, ComparesByValue) {
  Text a("P2"), b(std::string("P2"));
  EXPECT_FALSE(a.same_block(b));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, Text("P3"));
  EXPECT_LT(a, Text("P3"));
  EXPECT_EQ(a, std::string("P2"));
  EXPECT_EQ(std::string("P2"), a);
  std::unordered_map<Text, int> by_text{{a, 1}};
  EXPECT_EQ(by_text.at(b), 1);
}

TEST(LabelTest, EqualValuesShareOneBlock) {
  std::size_t before = Label::distinct_values();
  Label a("network-ops"), b(std::string("network-ops"));
  EXPECT_TRUE(a.same_block(b));
  EXPECT_EQ(Label::distinct_values(), before + 1);
  Text copied = a;  // a Text copy of a Label keeps its block
  Label again = copied;
  EXPECT_TRUE(again.same_block(a));
  Label from_text = Text("network-ops");  // an equal Text is looked up
  EXPECT_TRUE(from_text.same_block(a));
  EXPECT_EQ(Label::distinct_values(), before + 1);
}

TEST(LabelTest, TheLastLabelOfAValueTakesItOutOfTheTable) {
  std::size_t before = Label::distinct_values();
  {
    Label a("maintenance:42");
    Label b = a;
    EXPECT_EQ(Label::distinct_values(), before + 1);
  }
  EXPECT_EQ(Label::distinct_values(), before);
  Label c("maintenance:42");  // a new block, found by the next one
  EXPECT_TRUE(Label("maintenance:42").same_block(c));
}

TEST(LabelTest, ThreadsMakingAndDroppingTheSameValuesLeaveNothingBehind) {
  std::size_t before = Label::distinct_values();
  auto churn = [] {
    std::vector<Label> held;
    for (int round = 0; round < 20000; ++round) {
      held.emplace_back("group-" + std::to_string(round % 7));
      if (held.size() > 5) held.erase(held.begin());
    }
  };
  std::thread t1(churn), t2(churn);
  churn();
  t1.join();
  t2.join();
  EXPECT_EQ(Label::distinct_values(), before);
}

}  // namespace
}  // namespace tocsin
