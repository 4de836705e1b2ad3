#include "core/text.h"

#include <gtest/gtest.h>

namespace adminauto {
namespace {

TEST(CountNoun, SingularForOne) { EXPECT_EQ(CountNoun(1, "action"), "1 action"); }

TEST(CountNoun, PluralOtherwise) {
  EXPECT_EQ(CountNoun(0, "action"), "0 actions");
  EXPECT_EQ(CountNoun(2, "account"), "2 accounts");
  EXPECT_EQ(CountNoun(-1, "change"), "-1 changes");
}

}  // namespace
}  // namespace adminauto
