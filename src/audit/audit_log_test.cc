#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>

namespace adminauto::audit {
namespace {

using std::chrono::milliseconds;

// A fresh database file per test, with an audit log of `count` entries at a fixed time.
class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("aa_audit_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "audit.db").string();
    Reopen();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    log_.reset();
    db_.reset();
    auto db = store::SqliteDb::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto log = AuditLog::Open(*db_, clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_.emplace(std::move(log).value());
  }

  void AppendEntries(int count) {
    for (int i = 1; i <= count; ++i) {
      AuditRecord record{"cli:tester",
                         "suspend",
                         "acme",
                         "account-" + std::to_string(i),
                         "rule licence-cleanup: inactive 120 days >= 90",
                         "verified",
                         "run-1"};
      auto entry = log_->Append(record);
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      clock_.Advance(milliseconds(1500));
    }
  }

  // Runs `sql` on a separate raw connection, the way someone editing the file would.
  void RawSql(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  VerifyReport MustVerify() {
    auto report = log_->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1796000000))};
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<store::SqliteDb> db_;
  std::optional<AuditLog> log_;
};

TEST_F(AuditLogTest, IntactChainVerifies) {
  AppendEntries(5);
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.entries, 5);
}

TEST_F(AuditLogTest, EmptyLogVerifies) {
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.entries, 0);
  EXPECT_EQ(report.head_hash, std::string(64, '0'));
}

TEST_F(AuditLogTest, FirstHashMatchesDocumentedFormat) {
  AppendEntries(1);
  // Canonical bytes written out by hand from the documented format: 1796000000 s after the
  // epoch is 2026-11-30T00:53:20Z, and the first entry links to 64 zeros.
  std::string canonical =
      "adminauto-audit-v1\n"
      "1:1\n"
      "24:2026-11-30T00:53:20.000Z\n"
      "10:cli:tester\n"
      "7:suspend\n"
      "4:acme\n"
      "9:account-1\n"
      "45:rule licence-cleanup: inactive 120 days >= 90\n"
      "8:verified\n"
      "5:run-1\n"
      "64:" +
      std::string(64, '0') + "\n";
  auto entries = log_->Read();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].time, "2026-11-30T00:53:20.000Z");
  EXPECT_EQ(CanonicalBytes((*entries)[0]), canonical);
  // SHA-256 of the empty string, a published test vector, checks the digest itself.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(AuditLogTest, EditedEntryIsNamed) {
  for (int edited = 1; edited <= 5; ++edited) {
    TearDown();
    SetUp();
    AppendEntries(5);
    RawSql("UPDATE audit_entries SET result = 'failed' WHERE seq = " + std::to_string(edited));
    VerifyReport report = MustVerify();
    ASSERT_FALSE(report.ok()) << "edit of entry " << edited << " was not detected";
    EXPECT_EQ(*report.first_bad, edited);
    EXPECT_NE(report.problem.find("edited"), std::string::npos) << report.problem;
  }
}

TEST_F(AuditLogTest, EditedTimeIsNamed) {
  AppendEntries(4);
  RawSql("UPDATE audit_entries SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 2");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 2);
}

TEST_F(AuditLogTest, RehashedEditBreaksNextLink) {
  AppendEntries(5);
  // An editor who also recomputes the edited entry's own hash still breaks the link that
  // entry 4 stores, so entry 4 is the first one that no longer checks out.
  auto entries = log_->Read();
  ASSERT_TRUE(entries.ok());
  AuditEntry forged = (*entries)[2];
  forged.record.account = "someone-else";
  std::string hash = Sha256Hex(CanonicalBytes(forged));
  RawSql("UPDATE audit_entries SET account = 'someone-else', hash = '" + hash + "' WHERE seq = 3");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 4);
}

TEST_F(AuditLogTest, DeletedMiddleEntryIsNamed) {
  AppendEntries(5);
  RawSql("DELETE FROM audit_entries WHERE seq = 3");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 3);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST_F(AuditLogTest, DeletedFirstEntryIsNamed) {
  AppendEntries(3);
  RawSql("DELETE FROM audit_entries WHERE seq = 1");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 1);
}

TEST_F(AuditLogTest, DeletedLastEntryIsNamed) {
  AppendEntries(5);
  RawSql("DELETE FROM audit_entries WHERE seq = 5");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 5);
}

TEST_F(AuditLogTest, SwappedEntriesAreNamed) {
  AppendEntries(5);
  // Swap the contents of entries 2 and 4 while keeping their sequence numbers.
  RawSql(
      "CREATE TEMP TABLE a AS SELECT * FROM audit_entries WHERE seq = 2;"
      "CREATE TEMP TABLE b AS SELECT * FROM audit_entries WHERE seq = 4;"
      "UPDATE audit_entries SET time=(SELECT time FROM b), account=(SELECT account FROM b),"
      " prev_hash=(SELECT prev_hash FROM b), hash=(SELECT hash FROM b) WHERE seq = 2;"
      "UPDATE audit_entries SET time=(SELECT time FROM a), account=(SELECT account FROM a),"
      " prev_hash=(SELECT prev_hash FROM a), hash=(SELECT hash FROM a) WHERE seq = 4;");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 2);
}

TEST_F(AuditLogTest, SwappedSequenceNumbersAreNamed) {
  AppendEntries(5);
  RawSql(
      "UPDATE audit_entries SET seq = 100 WHERE seq = 3;"
      "UPDATE audit_entries SET seq = 3 WHERE seq = 4;"
      "UPDATE audit_entries SET seq = 4 WHERE seq = 100;");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(*report.first_bad, 3);
}

TEST_F(AuditLogTest, ChainContinuesAfterReopen) {
  AppendEntries(2);
  Reopen();
  AppendEntries(2);
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.entries, 4);
  auto entries = log_->Read();
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[2].prev_hash, (*entries)[1].hash);
}

TEST_F(AuditLogTest, AppendJoinsOpenTransaction) {
  AppendEntries(1);
  {
    store::Transaction tx(*db_);
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(log_->Append({"cli:tester", "suspend", "acme", "a", "r", "intent", "run-2"}).ok());
    // No Commit: the entry must disappear with the transaction.
  }
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.entries, 1);
}

TEST_F(AuditLogTest, TwoConnectionsShareOneChain) {
  auto other_db = store::SqliteDb::Open(path_);
  ASSERT_TRUE(other_db.ok());
  auto other = AuditLog::Open(**other_db, clock_);
  ASSERT_TRUE(other.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(log_->Append({"cli:a", "suspend", "acme", "x", "r", "intent", "run-a"}).ok());
    ASSERT_TRUE(other->Append({"cli:b", "restore", "acme", "y", "r", "intent", "run-b"}).ok());
  }
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.entries, 6);
  auto run_b = log_->ReadRun("run-b");
  ASSERT_TRUE(run_b.ok());
  EXPECT_EQ(run_b->size(), 3u);
}

TEST_F(AuditLogTest, RedactsCredentials) {
  std::string key = "ATCTT3xFfGN0secretSECRETsecret0123456789=ABCD";
  auto entry = log_->Append({"cli:tester", "suspend", "acme", "a1", "rule r",
                             "failed: header Authorization: Bearer " + key + " rejected", "r"});
  ASSERT_TRUE(entry.ok());
  auto entries = log_->Read();
  ASSERT_TRUE(entries.ok());
  const std::string& stored = (*entries)[0].record.result;
  EXPECT_EQ(stored.find("secret"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("ATCTT"), std::string::npos) << stored;
  EXPECT_EQ(stored, "failed: header Authorization: [redacted] rejected");
  EXPECT_EQ(RedactSecrets("token ATATT3xAbc_12-3 used"), "token [redacted] used");
  EXPECT_EQ(RedactSecrets("MATCTT is a word"), "MATCTT is a word");
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok()) << report.problem;
}

TEST_F(AuditLogTest, ExportWritesOneJsonLinePerEntry) {
  AppendEntries(3);
  std::ostringstream out;
  auto count = log_->ExportJsonLines(out);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
  std::istringstream lines(out.str());
  std::string line;
  int64_t expected_seq = 1;
  std::string prev_hash(64, '0');
  while (std::getline(lines, line)) {
    boost::json::object object = boost::json::parse(line).as_object();
    EXPECT_EQ(object.at("seq").as_int64(), expected_seq);
    EXPECT_EQ(object.at("account").as_string(), "account-" + std::to_string(expected_seq));
    EXPECT_EQ(object.at("prev_hash").as_string(), prev_hash);
    prev_hash = std::string(object.at("hash").as_string());
    ++expected_seq;
  }
  EXPECT_EQ(expected_seq, 4);
}

}  // namespace
}  // namespace adminauto::audit
