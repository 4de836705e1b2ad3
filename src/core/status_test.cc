#include "core/status.h"

#include <gtest/gtest.h>

namespace adminauto {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd number " + std::to_string(n));
  return n / 2;
}

Result<int> Quarter(int n) {
  AA_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, ToStringNamesCode) {
  EXPECT_EQ(NotFound("org acme").ToString(), "NOT_FOUND: org acme");
}

TEST(Status, WithContextPrefixesMessage) {
  Status s = DataLoss("bad hash").WithContext("audit entry 7");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "audit entry 7: bad hash");
}

TEST(Result, PropagatesFirstError) {
  auto ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd number 3");
}

TEST(Result, ValueOrFallsBackOnError) {
  EXPECT_EQ(Quarter(8).value_or(-1), 2);
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
}

}  // namespace
}  // namespace adminauto
