#include "store/journal_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace adminauto::store {
namespace {

class JournalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("aa_journal_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "journal.db").string();
    Reopen();
  }
  void TearDown() override {
    journal_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    journal_.reset();
    db_.reset();
    auto db = SqliteDb::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto journal = JournalStore::Open(*db_, clock_);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    journal_ = std::move(journal).value();
  }

  static JournalRun MakeRun(const std::string& id, const std::string& plan_key) {
    JournalRun run;
    run.id = id;
    run.org = "acme";
    run.org_id = "org-1";
    run.plan_key = plan_key;
    run.plan_fingerprint = "fp";
    run.source = "plan.json";
    run.actor = "cli:tester";
    return run;
  }

  static std::vector<JournalAction> MakeActions(int count) {
    std::vector<JournalAction> actions;
    for (int i = 0; i < count; ++i) {
      JournalAction action;
      action.account_id = "acc-" + std::to_string(i);
      action.email = "user" + std::to_string(i) + "@acme.example";
      action.kind = "suspend";
      action.rule = "licence-cleanup";
      action.reason = "inactive 120 days";
      actions.push_back(action);
    }
    return actions;
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1796000000))};
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<JournalStore> journal_;
};

TEST_F(JournalStoreTest, CreatesRunWithPlannedActions) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(3)).ok());
  auto actions = journal_->Actions("run-1");
  ASSERT_TRUE(actions.ok());
  ASSERT_EQ(actions->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*actions)[i].index, i);
    EXPECT_EQ((*actions)[i].state, ActionState::kPlanned);
    EXPECT_EQ((*actions)[i].account_id, "acc-" + std::to_string(i));
    EXPECT_EQ((*actions)[i].attempts, 0);
  }
  auto run = journal_->GetRun("run-1");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->has_value());
  EXPECT_EQ((*run)->state, RunState::kRunning);
  EXPECT_EQ((*run)->started_at, "2026-11-30T00:53:20Z");
}

TEST_F(JournalStoreTest, RejectsDuplicateRunId) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(1)).ok());
  Status again = journal_->CreateRun(MakeRun("run-1", "plan-b"), MakeActions(1));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
}

TEST_F(JournalStoreTest, StatesSurviveReopen) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(4)).ok());
  ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kSent).ok());
  ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kVerified, "suspended").ok());
  ASSERT_TRUE(journal_->Transition("run-1", 1, ActionState::kSent).ok());
  ASSERT_TRUE(journal_->Transition("run-1", 2, ActionState::kSkipped, "already suspended").ok());
  Reopen();
  auto counts = journal_->Counts("run-1");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->verified, 1);
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(counts->skipped, 1);
  EXPECT_EQ(counts->planned, 1);
  EXPECT_EQ(counts->total(), 4);
  auto actions = journal_->Actions("run-1");
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ((*actions)[0].detail, "suspended");
  EXPECT_EQ((*actions)[0].attempts, 1);
  EXPECT_EQ((*actions)[2].detail, "already suspended");
}

TEST_F(JournalStoreTest, RejectsForbiddenTransitions) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(2)).ok());
  // A planned action was never sent, so it cannot be verified.
  Status verify_planned = journal_->Transition("run-1", 0, ActionState::kVerified);
  EXPECT_EQ(verify_planned.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(verify_planned.message().find("planned"), std::string::npos);
  ASSERT_TRUE(journal_->Transition("run-1", 1, ActionState::kSent).ok());
  ASSERT_TRUE(journal_->Transition("run-1", 1, ActionState::kVerified).ok());
  // A verified action is final.
  EXPECT_EQ(journal_->Transition("run-1", 1, ActionState::kSent).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(journal_->Transition("run-1", 1, ActionState::kFailed).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(journal_->Transition("run-1", 7, ActionState::kSent).code(), StatusCode::kNotFound);
}

TEST_F(JournalStoreTest, FailedActionCanBeRetried) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(1)).ok());
  Status sent = journal_->Transition("run-1", 0, ActionState::kSent);
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kFailed, "HTTP 500").ok());
  ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kSent).ok());
  ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kVerified).ok());
  auto actions = journal_->Actions("run-1");
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ((*actions)[0].attempts, 2);
  EXPECT_EQ((*actions)[0].state, ActionState::kVerified);
}

TEST_F(JournalStoreTest, FindsLatestRunByPlanKey) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(1)).ok());
  clock_.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-2", "plan-a"), MakeActions(1)).ok());
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-3", "plan-b"), MakeActions(1)).ok());
  auto found = journal_->FindRunByPlanKey("plan-a");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "run-2");
  auto missing = journal_->FindRunByPlanKey("plan-c");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto runs = journal_->ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 3u);
}

TEST_F(JournalStoreTest, FinishingRunRecordsTime) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(1)).ok());
  clock_.Advance(std::chrono::seconds(90));
  ASSERT_TRUE(journal_->SetRunState("run-1", RunState::kFinished).ok());
  auto run = journal_->GetRun("run-1");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->has_value());
  EXPECT_EQ((*run)->state, RunState::kFinished);
  EXPECT_EQ((*run)->finished_at, "2026-11-30T00:54:50Z");
  EXPECT_EQ(journal_->SetRunState("nope", RunState::kFinished).code(), StatusCode::kNotFound);
}

TEST_F(JournalStoreTest, TransitionJoinsOpenTransaction) {
  ASSERT_TRUE(journal_->CreateRun(MakeRun("run-1", "plan-a"), MakeActions(1)).ok());
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(journal_->Transition("run-1", 0, ActionState::kSent).ok());
  }
  auto actions = journal_->Actions("run-1");
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ((*actions)[0].state, ActionState::kPlanned);
}

}  // namespace
}  // namespace adminauto::store
