#include "store/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace adminauto::store {
namespace {

TEST(SqliteDb, MigratesOncePerVersion) {
  auto db = SqliteDb::Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::vector<std::string_view> migrations = {"CREATE TABLE t(x INTEGER)"};
  ASSERT_TRUE((*db)->Migrate("test", migrations).ok());
  // A second run must not re-run the CREATE TABLE, which would fail.
  ASSERT_TRUE((*db)->Migrate("test", migrations).ok());
  migrations.push_back("ALTER TABLE t ADD COLUMN y TEXT");
  ASSERT_TRUE((*db)->Migrate("test", migrations).ok());
  auto stmt = (*db)->Prepare("SELECT version FROM schema_versions WHERE component='test'");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Int(0), 2);
}

TEST(SqliteDb, RejectsNewerSchema) {
  auto db = SqliteDb::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Migrate("x", {"CREATE TABLE a(x)", "CREATE TABLE b(x)"}).ok());
  Status s = (*db)->Migrate("x", {"CREATE TABLE a(x)"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
}

TEST(Transaction, RollsBackWithoutCommit) {
  auto path = std::filesystem::temp_directory_path() / "adminauto_tx_test.db";
  std::filesystem::remove(path);
  auto db = SqliteDb::Open(path.string());
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x TEXT)").ok());
  {
    Transaction tx(**db);
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES('lost')").ok());
  }
  {
    Transaction tx(**db);
    ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES('kept')").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto stmt = (*db)->Prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Text(0), "kept");
  std::filesystem::remove(path);
}

TEST(Statement, BindsAndReadsValues) {
  auto db = SqliteDb::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(s TEXT, n INTEGER, b BLOB)").ok());
  auto insert = (*db)->Prepare("INSERT INTO t VALUES(?, ?, ?)");
  ASSERT_TRUE(insert.ok());
  const uint8_t bytes[] = {0, 1, 255};
  insert->Bind(1, std::string_view("Ünïcødé 🎉")).Bind(2, int64_t{42}).BindBlob(3, bytes, 3);
  ASSERT_TRUE(insert->Run().ok());
  auto select = (*db)->Prepare("SELECT s, n, b FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Text(0), "Ünïcødé 🎉");
  EXPECT_EQ(select->Int(1), 42);
  EXPECT_EQ(select->Blob(2), std::vector<uint8_t>({0, 1, 255}));
}

}  // namespace
}  // namespace adminauto::store
