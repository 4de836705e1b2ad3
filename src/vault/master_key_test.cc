#include "vault/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vault/aes_gcm.h"

namespace adminauto::vault {
namespace {

namespace fs = std::filesystem;

// base64 of the bytes 0x01..0x20 and 0x65..0x84.
constexpr std::string_view kKeyOne = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
constexpr std::string_view kKeyTwo = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q=";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vault-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seals with `provider` version `version` and opens with plain OpenSSL under `key`, so the
// provider is checked against an independent use of the same key.
void ExpectProviderUsesKey(MasterKeyProvider& provider, uint32_t version, const Bytes& key) {
  const Bytes nonce(12, 3);
  const Bytes text = {'h', 'i'};
  auto sealed = provider.Seal(version, nonce, {}, text);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  auto opened = AesGcmOpen(key, nonce, {}, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->view(), "hi");
}

Bytes Range(uint8_t first) {
  Bytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(first + i);
  return key;
}

TEST(MasterKeyFile, CreatedWithMode0600) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(path).ok());
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto provider = OpenMasterKeyFile(path);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  auto versions = (*provider)->Versions();
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, std::vector<uint32_t>{1});
}

TEST(MasterKeyFile, NeverOverwritten) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(path).ok());
  const std::string before = ReadText(path);
  Status again = CreateMasterKeyFile(path);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadText(path), before);
}

TEST(MasterKeyFile, Mode0644Refused) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto provider = OpenMasterKeyFile(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(provider.status().message().find("mode 0644"), std::string::npos);
  EXPECT_NE(provider.status().message().find("chmod 600 " + path), std::string::npos);
}

TEST(MasterKeyFile, Mode0640Refused) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(OpenMasterKeyFile(path).status().code(), StatusCode::kPermissionDenied);
}

TEST(MasterKeyFile, ReadsHandWrittenVersions) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  {
    std::ofstream out(path);
    out << "# comment\n1 " << kKeyOne << "\n2 " << kKeyTwo << "\n";
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto provider = OpenMasterKeyFile(path);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  ExpectProviderUsesKey(**provider, 1, Range(0x01));
  ExpectProviderUsesKey(**provider, 2, Range(0x65));
}

TEST(MasterKeyFile, ShortKeyNamesLine) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  {
    std::ofstream out(path);
    out << "1 " << kKeyOne << "\n2 AQIDBAUGBwgJCgsMDQ4PEA==\n";  // 16 bytes
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto provider = OpenMasterKeyFile(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.status().message().find(path + ":2"), std::string::npos);
  EXPECT_NE(provider.status().message().find("16 bytes"), std::string::npos);
  EXPECT_EQ(provider.status().message().find("AQIDBAUGBwgJCgsMDQ4PEA"), std::string::npos);
}

TEST(MasterKeyFile, CreateVersionPersists) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  ASSERT_TRUE(CreateMasterKeyFile(path).ok());
  {
    auto provider = OpenMasterKeyFile(path);
    ASSERT_TRUE(provider.ok());
    ASSERT_TRUE((*provider)->CreateVersion(2).ok());
  }
  auto reopened = OpenMasterKeyFile(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*(*reopened)->Versions(), (std::vector<uint32_t>{1, 2}));
  ASSERT_TRUE((*reopened)->DestroyVersion(1).ok());
  auto after = OpenMasterKeyFile(path);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*(*after)->Versions(), std::vector<uint32_t>{2});
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(MasterKeyEnv, ParsesSingleKeyAsVersionOne) {
  auto provider = ParseMasterKeyList(kKeyOne);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ(*(*provider)->Versions(), std::vector<uint32_t>{1});
  ExpectProviderUsesKey(**provider, 1, Range(0x01));
}

TEST(MasterKeyEnv, ParsesVersionList) {
  auto provider = ParseMasterKeyList("1:" + std::string(kKeyOne) + ",3:" + std::string(kKeyTwo));
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ(*(*provider)->Versions(), (std::vector<uint32_t>{1, 3}));
  ExpectProviderUsesKey(**provider, 3, Range(0x65));
}

TEST(MasterKeyEnv, RejectsWrongKeyLengths) {
  // 16 bytes, then 33 bytes.
  EXPECT_EQ(ParseMasterKeyList("AQIDBAUGBwgJCgsMDQ4PEA==").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMasterKeyList("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMasterKeyList("not base64!").status().code(), StatusCode::kInvalidArgument);
}

TEST(MasterKeyEnv, WipesAndUnsetsVariable) {
  const std::string name = "ADMINAUTO_TEST_MASTER_KEY";
  ASSERT_EQ(::setenv(name.c_str(), std::string(kKeyOne).c_str(), 1), 0);
  auto provider = OpenEnvMasterKey(name);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ(std::getenv(name.c_str()), nullptr);
  ExpectProviderUsesKey(**provider, 1, Range(0x01));
}

TEST(MasterKeyEnv, UnsetVariableIsNotFound) {
  EXPECT_EQ(OpenEnvMasterKey("ADMINAUTO_TEST_UNSET_VARIABLE").status().code(),
            StatusCode::kNotFound);
}

TEST(MasterKeyEnv, CannotCreateVersions) {
  auto provider = ParseMasterKeyList(kKeyOne);
  ASSERT_TRUE(provider.ok());
  Status created = (*provider)->CreateVersion(2);
  EXPECT_EQ(created.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(created.message().find("ADMINAUTO_MASTER_KEY"), std::string::npos);
}

TEST(MasterKeyEnv, NewKeyDecodesTo32Bytes) {
  SecretBytes encoded = NewBase64MasterKey();
  EXPECT_EQ(encoded.size(), 44u);
  auto provider = ParseMasterKeyList(encoded.view());
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
}

}  // namespace
}  // namespace adminauto::vault
