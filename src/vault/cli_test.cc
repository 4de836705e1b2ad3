// End-to-end tests of `adminauto init` and `adminauto org ...`, run as a separate process,
// including the leak test: a known API key must not appear in the database, its WAL or any
// command output, raw, base64 or hex.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "store/sqlite.h"
#include "vault/org_keys.h"
#include "vault/test_util.h"

namespace adminauto::vault {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kApiKey = "ATATT3xFfGF0Leak-Test-Key_7f3a9c2e1b8d4f60";
constexpr std::string_view kNewApiKey = "ATATT3xFfGF0Second-Key_0a1b2c3d4e5f6789";

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using testing::ReadWholeFile;

// Every encoding of `key` the leak test looks for, and its first 16 bytes.
std::vector<std::string> Encodings(std::string_view key) {
  std::vector<std::string> encodings = testing::KeyEncodings(key);
  encodings.push_back(std::string(key.substr(0, 16)));
  return encodings;
}

class OrgCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "org-cli-test-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    data_dir_ = (fs::path(root_) / "data").string();
    key_file_ = (fs::path(root_) / "api.key").string();
    std::ofstream(key_file_) << kApiKey << "\n";
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs the org CLI with `args`, feeding `stdin_text` on standard input.
  Output Run(const std::string& args, const std::string& stdin_text = "") {
    const fs::path in = fs::path(root_) / "stdin";
    const fs::path out = fs::path(root_) / "stdout";
    const fs::path err = fs::path(root_) / "stderr";
    std::ofstream(in) << stdin_text;
    const std::string command = std::string(ADMINAUTO_ORG_CLI) + " --data-dir " + data_dir_ + " " +
                                args + " <" + in.string() + " >" + out.string() + " 2>" +
                                err.string();
    int status = std::system(command.c_str());
    Output output;
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    output.out = ReadWholeFile(out);
    output.err = ReadWholeFile(err);
    all_output_ += output.out + output.err;
    return output;
  }

  void InitAndConnect() {
    Output init = Run("init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    Output connect =
        Run("org connect acme --org-id org-123 --base-url http://127.0.0.1:9 "
            "--api-key-file " +
            key_file_);
    ASSERT_EQ(connect.exit_code, 0) << connect.err;
  }

  std::string root_;
  std::string data_dir_;
  std::string key_file_;
  std::string all_output_;
};

TEST_F(OrgCliTest, InitCreatesPrivateFiles) {
  Output init = Run("init");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  struct stat info;
  ASSERT_EQ(::stat(data_dir_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((data_dir_ + "/master.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_TRUE(fs::exists(data_dir_ + "/adminauto.db"));
  Output again = Run("init");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already initialised"), std::string::npos);
}

TEST_F(OrgCliTest, ConnectedKeyUnsealsInProcess) {
  InitAndConnect();
  auto credential = UnsealOrgApiKey(data_dir_, "acme");
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  EXPECT_EQ(credential->api_key.view(), kApiKey);
  EXPECT_EQ(credential->org.org_id, "org-123");
  EXPECT_EQ(credential->org.base_url, "http://127.0.0.1:9");
  EXPECT_EQ(credential->org.region, "us");
}

TEST_F(OrgCliTest, KeyLeaksNowhere) {
  ASSERT_EQ(Run("init").exit_code, 0);
  // SQLite deletes the WAL when the last connection closes; holding one open keeps the WAL
  // the commands wrote, so it can be searched too.
  auto holder = store::SqliteDb::Open(data_dir_ + "/adminauto.db");
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Exec("SELECT count(*) FROM orgs").ok());
  ASSERT_EQ(Run("org connect acme --org-id org-123 --api-key-file " + key_file_).exit_code, 0);
  ASSERT_EQ(Run("org connect beta --org-id org-456 --region eu --api-key-stdin",
                std::string(kApiKey) + "\n")
                .exit_code,
            0);
  ASSERT_EQ(Run("org list").exit_code, 0);
  ASSERT_EQ(Run("org list --format json").exit_code, 0);
  ASSERT_EQ(Run("org show acme").exit_code, 0);
  ASSERT_EQ(Run("org show beta --format json").exit_code, 0);
  ASSERT_EQ(Run("org rotate-data-key acme").exit_code, 0);
  // An unsealed read in another process, as sync does, must keep the database clean too.
  ASSERT_TRUE(UnsealOrgApiKey(data_dir_, "acme").ok());

  std::vector<std::string> files = {"adminauto.db", "adminauto.db-wal", "adminauto.db-shm"};
  for (const auto& name : files) {
    const fs::path path = fs::path(data_dir_) / name;
    if (!fs::exists(path)) continue;
    const std::string bytes = ReadWholeFile(path);
    for (const auto& encoding : Encodings(kApiKey)) {
      EXPECT_EQ(bytes.find(encoding), std::string::npos) << name << " contains " << encoding;
    }
  }
  EXPECT_TRUE(fs::exists(fs::path(data_dir_) / "adminauto.db-wal"));
  for (const auto& encoding : Encodings(kApiKey)) {
    EXPECT_EQ(all_output_.find(encoding), std::string::npos) << "output contains " << encoding;
  }
  EXPECT_NE(all_output_.find("acme"), std::string::npos);
}

TEST_F(OrgCliTest, ListShowsOrgsAsJson) {
  InitAndConnect();
  Output list = Run("org list --format json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.front(), '[');
  EXPECT_NE(list.out.find("\"name\":\"acme\""), std::string::npos);
  EXPECT_NE(list.out.find("\"org_id\":\"org-123\""), std::string::npos);
  EXPECT_NE(list.out.find("\"key_status\":\"valid\""), std::string::npos);
}

TEST_F(OrgCliTest, DefaultExpiryIsOneWeek) {
  InitAndConnect();
  auto credential = UnsealOrgApiKey(data_dir_, "acme");
  ASSERT_TRUE(credential.ok());
  const auto lifetime = credential->org.key_expires_at - credential->org.key_updated_at;
  EXPECT_EQ(lifetime, std::chrono::hours(24 * 7));
}

TEST_F(OrgCliTest, ExpiryBeyondOneYearRejected) {
  ASSERT_EQ(Run("init").exit_code, 0);
  Output connect =
      Run("org connect acme --org-id org-123 --key-expires 2099-01-01 "
          "--api-key-file " +
          key_file_);
  EXPECT_EQ(connect.exit_code, 1);
  EXPECT_NE(connect.err.find("more than one year ahead"), std::string::npos) << connect.err;
  Output past =
      Run("org connect acme --org-id org-123 --key-expires 2001-01-01 "
          "--api-key-file " +
          key_file_);
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_NE(past.err.find("in the past"), std::string::npos) << past.err;
}

TEST_F(OrgCliTest, ExpiredKeyPausesOrg) {
  InitAndConnect();
  // Eight days later the default one-week key has expired.
  FakeClock later(SystemClock::Instance().Now() + std::chrono::hours(24 * 8));
  auto credential = UnsealOrgApiKey(data_dir_, "acme", later);
  ASSERT_FALSE(credential.ok());
  EXPECT_EQ(credential.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(credential.status().message().find("expired"), std::string::npos);
  EXPECT_NE(credential.status().message().find("adminauto org replace-key acme"),
            std::string::npos);
}

TEST_F(OrgCliTest, InvalidKeyPausedUntilReplaced) {
  InitAndConnect();
  auto message = MarkOrgApiKeyInvalid(data_dir_, "acme", "the API returned 401 Unauthorized");
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  EXPECT_NE(message->find("paused"), std::string::npos);
  EXPECT_NE(message->find("adminauto org replace-key acme"), std::string::npos);
  auto refused = UnsealOrgApiKey(data_dir_, "acme");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("401"), std::string::npos);
  Output show = Run("org show acme");
  EXPECT_NE(show.out.find("key status:    invalid"), std::string::npos) << show.out;

  std::ofstream(key_file_) << kNewApiKey << "\n";
  Output replace = Run("org replace-key acme --api-key-file " + key_file_);
  ASSERT_EQ(replace.exit_code, 0) << replace.err;
  auto credential = UnsealOrgApiKey(data_dir_, "acme");
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  EXPECT_EQ(credential->api_key.view(), kNewApiKey);
}

TEST_F(OrgCliTest, KeyFileMode0644Refused) {
  InitAndConnect();
  const std::string master = data_dir_ + "/master.key";
  ASSERT_EQ(::chmod(master.c_str(), 0644), 0);
  Output connect = Run("org connect other --org-id org-789 --api-key-file " + key_file_);
  EXPECT_EQ(connect.exit_code, 1);
  EXPECT_NE(connect.err.find("chmod 600 " + master), std::string::npos) << connect.err;
  // Listing needs no key and still works while the vault is sealed.
  EXPECT_EQ(Run("org list").exit_code, 0);
}

TEST_F(OrgCliTest, RemoveDeletesSealedKey) {
  InitAndConnect();
  ASSERT_EQ(Run("org remove acme").exit_code, 0);
  auto db = store::SqliteDb::Open(data_dir_ + "/adminauto.db");
  ASSERT_TRUE(db.ok());
  auto count = (*db)->Prepare("SELECT count(*) FROM vault_secrets");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int(0), 0);
  EXPECT_EQ(UnsealOrgApiKey(data_dir_, "acme").status().code(), StatusCode::kNotFound);
}

TEST_F(OrgCliTest, DuplicateNameRejected) {
  InitAndConnect();
  Output again = Run("org connect acme --org-id org-999 --api-key-file " + key_file_);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already connected"), std::string::npos) << again.err;
}

TEST_F(OrgCliTest, MalformedKeyFileRejected) {
  ASSERT_EQ(Run("init").exit_code, 0);
  std::ofstream(key_file_) << "two words\n";
  Output connect = Run("org connect acme --org-id org-123 --api-key-file " + key_file_);
  EXPECT_EQ(connect.exit_code, 1);
  EXPECT_NE(connect.err.find("offset 3"), std::string::npos) << connect.err;
  EXPECT_EQ(connect.err.find("words"), std::string::npos) << connect.err;
}

TEST_F(OrgCliTest, PlainHttpRemoteRejected) {
  ASSERT_EQ(Run("init").exit_code, 0);
  Output connect =
      Run("org connect acme --org-id org-123 --base-url http://api.example.test "
          "--api-key-file " +
          key_file_);
  EXPECT_EQ(connect.exit_code, 1);
  EXPECT_NE(connect.err.find("https://"), std::string::npos) << connect.err;
}

TEST_F(OrgCliTest, MasterRotationKeepsOrgKeys) {
  InitAndConnect();
  std::ofstream(key_file_) << kNewApiKey << "\n";
  ASSERT_EQ(Run("org connect beta --org-id org-456 --api-key-file " + key_file_).exit_code, 0);
  Output rotate = Run("vault rotate-master-key");
  ASSERT_EQ(rotate.exit_code, 0) << rotate.err;
  EXPECT_NE(rotate.out.find("re-wrapped 2 data keys"), std::string::npos) << rotate.out;

  // Only version 2 is left in the key file.
  std::istringstream lines(ReadWholeFile(data_dir_ + "/master.key"));
  std::string line;
  int keys = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++keys;
    EXPECT_TRUE(line.starts_with("2 "));
  }
  EXPECT_EQ(keys, 1);

  auto acme = UnsealOrgApiKey(data_dir_, "acme");
  ASSERT_TRUE(acme.ok()) << acme.status().ToString();
  EXPECT_EQ(acme->api_key.view(), kApiKey);
  auto beta = UnsealOrgApiKey(data_dir_, "beta");
  ASSERT_TRUE(beta.ok()) << beta.status().ToString();
  EXPECT_EQ(beta->api_key.view(), kNewApiKey);
}

TEST_F(OrgCliTest, StatusExplainsSealedVault) {
  ASSERT_EQ(Run("init").exit_code, 0);
  Output open = Run("vault status --format json");
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.out.find("\"sealed\":false"), std::string::npos) << open.out;
  ASSERT_EQ(::chmod((data_dir_ + "/master.key").c_str(), 0644), 0);
  Output sealed = Run("vault status --format json");
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  EXPECT_NE(sealed.out.find("\"sealed\":true"), std::string::npos) << sealed.out;
  EXPECT_NE(sealed.out.find("chmod 600"), std::string::npos) << sealed.out;
}

}  // namespace
}  // namespace adminauto::vault
