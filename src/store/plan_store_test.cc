#include "store/plan_store.h"

#include <gtest/gtest.h>

namespace adminauto::store {
namespace {

constexpr std::string_view kHash =
    "4b097399ee1c6033f62fa89a4cd7a07a726ac8b8fcde9fb842a0d797d8dd5cb8";

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto plans = PlanStore::Open(*db_);
    ASSERT_TRUE(plans.ok()) << plans.status().ToString();
    plans_ = std::move(plans).value();
  }
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<PlanStore> plans_;
};

TEST_F(PlanStoreTest, RecordedPlanIsFound) {
  ASSERT_TRUE(plans_->Record(kHash, "org-1", Timestamp{}).ok());
  auto found = plans_->Contains(kHash, "org-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(*found);
}

TEST_F(PlanStoreTest, OtherHashOrOrgIsNotFound) {
  ASSERT_TRUE(plans_->Record(kHash, "org-1", Timestamp{}).ok());
  auto other_hash = plans_->Contains(std::string(63, '0') + "1", "org-1");
  ASSERT_TRUE(other_hash.ok());
  EXPECT_FALSE(*other_hash);
  auto other_org = plans_->Contains(kHash, "org-2");
  ASSERT_TRUE(other_org.ok());
  EXPECT_FALSE(*other_org);
}

TEST_F(PlanStoreTest, RecordingTwiceIsAccepted) {
  ASSERT_TRUE(plans_->Record(kHash, "org-1", Timestamp{}).ok());
  EXPECT_TRUE(plans_->Record(kHash, "org-1", Timestamp{}).ok());
}

}  // namespace
}  // namespace adminauto::store
