#include "importer/user_export.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace adminauto::importer {
namespace {

constexpr std::string_view kHeader =
    "User id,User name,email,User status,Added to org,Org role,Last seen in Jira - acme,"
    "Last seen in Confluence - acme\r\n";

Timestamp At(int y, unsigned m, unsigned d) {
  return Timestamp(Day(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}));
}

const ProductAccess* FindProduct(const Account& account, std::string_view key) {
  for (const auto& p : account.products) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

TEST(UserExport, ReadsRowsWithBomAndCrlf) {
  std::string text = "\xEF\xBB\xBF" + std::string(kHeader) +
                     "u1,\"Brown, Jr.\",a@x.example,Active,3 Jan 2024,Organization admin,"
                     "5 Nov 2026,Never accessed\r\n"
                     "u2,Bo,b@x.example,Suspended,,,,\r\n"
                     "u3,Cy,c@x.example,Deactivated,1 Feb 2020,,2 Mar 2021,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->warnings.empty());
  const auto& accounts = result->directory.accounts;
  ASSERT_EQ(accounts.size(), 3u);

  const Account& a = accounts[0];
  EXPECT_EQ(a.id, "u1");
  EXPECT_EQ(a.name, "Brown, Jr.");
  EXPECT_EQ(a.email, "a@x.example");
  EXPECT_EQ(a.status(), UserStatus::kActive);
  EXPECT_EQ(a.added_to_org, At(2024, 1, 3));
  EXPECT_TRUE(a.IsOrgAdmin());
  ASSERT_EQ(a.products.size(), 2u);
  const ProductAccess* jira = FindProduct(a, "jira-software");
  ASSERT_NE(jira, nullptr);
  EXPECT_EQ(jira->site, "acme");
  EXPECT_EQ(jira->last_active, At(2026, 11, 5));
  const ProductAccess* confluence = FindProduct(a, "confluence");
  ASSERT_NE(confluence, nullptr);
  EXPECT_FALSE(confluence->last_active.has_value());  // Never accessed: access, no activity

  EXPECT_EQ(accounts[1].status(), UserStatus::kSuspended);
  EXPECT_TRUE(accounts[1].products.empty());  // empty cells: no access
  EXPECT_FALSE(accounts[1].added_to_org.has_value());
  EXPECT_FALSE(accounts[1].IsOrgAdmin());

  EXPECT_EQ(accounts[2].status(), UserStatus::kDeactivated);
  ASSERT_EQ(accounts[2].products.size(), 1u);
  EXPECT_EQ(accounts[2].products[0].last_active, At(2021, 3, 2));
}

TEST(UserExport, UnknownColumnNamedInWarning) {
  std::string text =
      "User id,email,User status,Department,Last seen in Statuspage - acme\n"
      "u1,a@x.example,Active,Sales,4 Apr 2026\n";
  auto result = ParseUserExport(text);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->warnings.size(), 2u);
  // Warnings follow the column order: Department is column 4, Statuspage column 5.
  EXPECT_NE(result->warnings[0].find("\"Department\""), std::string::npos);
  EXPECT_NE(result->warnings[1].find("\"Statuspage\""), std::string::npos);
  ASSERT_EQ(result->directory.accounts[0].products.size(), 1u);
  EXPECT_EQ(result->directory.accounts[0].products[0].key, "statuspage");
}

TEST(UserExport, UnknownOrgRoleWarns) {
  std::string text = std::string(kHeader) + "u1,A,a@x.example,Active,,Billing wizard,,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_NE(result->warnings[0].find("line 2"), std::string::npos);
  EXPECT_NE(result->warnings[0].find("\"Billing wizard\""), std::string::npos);
  EXPECT_TRUE(result->directory.accounts[0].platform_roles.empty());
}

TEST(UserExport, IsoDatesAccepted) {
  std::string text = std::string(kHeader) + "u1,A,a@x.example,Active,2024-01-03,,2026-11-05,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->directory.accounts[0].added_to_org, At(2024, 1, 3));
  EXPECT_EQ(result->directory.accounts[0].products[0].last_active, At(2026, 11, 5));
}

TEST(UserExport, BadDateNamesLineAndColumn) {
  std::string text = std::string(kHeader) + "u1,A,a@x.example,Active,,,32 Jan 2024,\r\n";
  auto result = ParseUserExport(text, "acme.csv");
  ASSERT_FALSE(result.ok());
  const std::string m = result.status().message();
  EXPECT_NE(m.find("acme.csv: line 2, column 7"), std::string::npos) << m;
  EXPECT_NE(m.find("Last seen in Jira - acme"), std::string::npos) << m;
  EXPECT_NE(m.find("32 Jan 2024"), std::string::npos) << m;
}

TEST(UserExport, BadStatusRejected) {
  std::string text = std::string(kHeader) + "u1,A,a@x.example,Gone,,,,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("\"Gone\""), std::string::npos);
  EXPECT_NE(result.status().message().find("column 4"), std::string::npos);
}

TEST(UserExport, WrongFieldCountRejected) {
  std::string text = std::string(kHeader) + "u1,Brown, Jr.,a@x.example,Active,,,,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("line 2: 9 fields"), std::string::npos)
      << result.status().message();
}

TEST(UserExport, DuplicateIdRejected) {
  std::string text =
      std::string(kHeader) + "u1,A,a@x.example,Active,,,,\r\n" + "u1,B,b@x.example,Active,,,,\r\n";
  auto result = ParseUserExport(text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("line 3"), std::string::npos);
  EXPECT_NE(result.status().message().find("line 2"), std::string::npos);
}

TEST(UserExport, MissingColumnRejected) {
  auto result = ParseUserExport("User id,email\nu1,a@x.example\n");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("\"User status\""), std::string::npos);
}

TEST(UserExport, EmptyFileRejected) {
  auto result = ParseUserExport("");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("empty"), std::string::npos);
}

TEST(UserExport, MissingFileIsNotFound) {
  auto result = ReadUserExport("/nonexistent/export.csv");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
}

// Expected figures come from reading the sample file with Python's csv module.
TEST(UserExport, ReadsBundledSample) {
  const char* root = std::getenv("ADMINAUTO_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  auto result = ReadUserExport(std::string(root) + "/tests/data/acme-users-export.csv");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->warnings.empty());
  const auto& accounts = result->directory.accounts;
  ASSERT_EQ(accounts.size(), 2000u);
  auto count_status = [&](UserStatus s) {
    return std::count_if(accounts.begin(), accounts.end(),
                         [s](const Account& a) { return a.status() == s; });
  };
  EXPECT_EQ(count_status(UserStatus::kActive), 1901);
  EXPECT_EQ(count_status(UserStatus::kSuspended), 58);
  EXPECT_EQ(count_status(UserStatus::kDeactivated), 41);
  EXPECT_EQ(std::count_if(accounts.begin(), accounts.end(),
                          [](const Account& a) { return a.IsOrgAdmin(); }),
            3);
  const Account& first = accounts[0];
  EXPECT_EQ(first.email, "jira-automation@acme.example");
  EXPECT_EQ(first.added_to_org, At(2024, 11, 11));
  ASSERT_EQ(first.products.size(), 3u);  // Jira, Confluence, JSM never accessed; no JPD
  for (const auto& p : first.products) EXPECT_FALSE(p.last_active.has_value());
  EXPECT_EQ(first.products[2].key, "jira-servicedesk");
}

TEST(UserExport, HugeCellsAreCutInMessages) {
  const std::string huge(100000, 'X');
  auto bad_status = ParseUserExport(std::string(kHeader) + "u1,A,a@x.example," + huge + ",,,,\r\n");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_NE(bad_status.status().message().find("invalid user status"), std::string::npos);
  EXPECT_LT(bad_status.status().message().size(), 400u);

  auto duplicate = ParseUserExport(std::string(kHeader) + huge + ",A,a@x.example,Active,,,,\r\n" +
                                   huge + ",B,b@x.example,Active,,,,\r\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("already appears on line 2"), std::string::npos);
  EXPECT_LT(duplicate.status().message().size(), 400u);

  auto unknown =
      ParseUserExport("User id,email,User status," + huge + "\nu1,a@x.example,Active,1\n");
  ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
  ASSERT_EQ(unknown->warnings.size(), 1u);
  EXPECT_LT(unknown->warnings[0].size(), 200u);
}

TEST(UserExport, LastSeenColumnWithoutProductNameIsIgnored) {
  auto result = ParseUserExport(
      "User id,email,User status,Last seen in  - \nu1,a@x.example,Active,1 Feb 2024\n");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->directory.accounts.size(), 1u);
  EXPECT_TRUE(result->directory.accounts[0].products.empty());
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_NE(result->warnings[0].find("unknown column"), std::string::npos) << result->warnings[0];
}

TEST(UserExport, DirectoryPathIsNamedNotEmpty) {
  auto result = ReadUserExport("/");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("is a directory"), std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace adminauto::importer
