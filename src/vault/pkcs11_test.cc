// End-to-end tests of the PKCS#11 provider against a real SoftHSM2 token that the test
// creates in a temporary directory with softhsm2-util.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <p11-kit/pkcs11.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "store/sqlite.h"
#include "vault/barrier.h"
#include "vault/key_vault.h"
#include "vault/master_key.h"

namespace adminauto::vault {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kTokenLabel = "adminauto-test";
constexpr const char* kPin = "5678";
constexpr std::string_view kApiKey = "hsm-protected-org-api-key-42";

class Pkcs11Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kModule) || std::system("command -v softhsm2-util >/dev/null") != 0) {
      skip_ = true;
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "softhsm-test-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    fs::create_directory(fs::path(dir_) / "tokens");
    const std::string conf = (fs::path(dir_) / "softhsm2.conf").string();
    std::ofstream(conf) << "directories.tokendir = " << dir_ << "/tokens\n"
                        << "objectstore.backend = file\nlog.level = ERROR\n"
                        << "slots.removable = false\n";
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    const std::string init = std::string("softhsm2-util --init-token --free --label ") +
                             kTokenLabel + " --so-pin 1234 --pin " + kPin + " >/dev/null";
    ASSERT_EQ(std::system(init.c_str()), 0);
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (skip_) GTEST_SKIP() << "softhsm2 is not installed";
  }

  static Result<std::unique_ptr<MasterKeyProvider>> OpenToken(const std::string& label) {
    Pkcs11Options options;
    options.module_path = kModule;
    options.token_label = label;
    options.pin = kPin;
    return OpenPkcs11MasterKey(std::move(options));
  }

  static inline bool skip_ = false;
  static inline std::string dir_;
};

// Reads CKA_EXTRACTABLE and CKA_SENSITIVE of the key labelled `label` with the module's own
// API, independently of the provider.
void ExpectNonExtractable(const std::string& label) {
  void* module = ::dlopen(kModule, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(module, nullptr);
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(module, "C_GetFunctionList"));
  CK_FUNCTION_LIST_PTR p11 = nullptr;
  ASSERT_EQ(get_list(&p11), CKR_OK);
  ASSERT_EQ(p11->C_Initialize(nullptr), CKR_OK);
  CK_ULONG count = 8;
  CK_SLOT_ID slots[8];
  ASSERT_EQ(p11->C_GetSlotList(CK_TRUE, slots, &count), CKR_OK);
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  for (CK_ULONG i = 0; i < count && session == CK_INVALID_HANDLE; ++i) {
    CK_TOKEN_INFO info;
    p11->C_GetTokenInfo(slots[i], &info);
    if (std::string(reinterpret_cast<char*>(info.label), 32).starts_with(kTokenLabel)) {
      p11->C_OpenSession(slots[i], CKF_SERIAL_SESSION, nullptr, nullptr, &session);
    }
  }
  ASSERT_NE(session, CK_INVALID_HANDLE);
  ASSERT_EQ(p11->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR)kPin, 4), CKR_OK);
  CK_ATTRIBUTE filter[] = {{CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
  ASSERT_EQ(p11->C_FindObjectsInit(session, filter, 1), CKR_OK);
  CK_OBJECT_HANDLE key;
  CK_ULONG found = 0;
  ASSERT_EQ(p11->C_FindObjects(session, &key, 1, &found), CKR_OK);
  p11->C_FindObjectsFinal(session);
  ASSERT_EQ(found, 1u);
  CK_BBOOL extractable = CK_TRUE;
  CK_BBOOL sensitive = CK_FALSE;
  CK_ATTRIBUTE attributes[] = {{CKA_EXTRACTABLE, &extractable, sizeof extractable},
                               {CKA_SENSITIVE, &sensitive, sizeof sensitive}};
  ASSERT_EQ(p11->C_GetAttributeValue(session, key, attributes, 2), CKR_OK);
  EXPECT_EQ(extractable, CK_FALSE);
  EXPECT_EQ(sensitive, CK_TRUE);
  // Reading the key value must fail.
  uint8_t value[64];
  CK_ATTRIBUTE read_value{CKA_VALUE, value, sizeof value};
  EXPECT_NE(p11->C_GetAttributeValue(session, key, &read_value, 1), CKR_OK);
  p11->C_CloseSession(session);
  p11->C_Finalize(nullptr);
  ::dlclose(module);
}

TEST_F(Pkcs11Test, UnknownTokenLabelNamed) {
  auto provider = OpenToken("no-such-token");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), StatusCode::kNotFound);
  EXPECT_NE(provider.status().message().find("no-such-token"), std::string::npos);
}

TEST_F(Pkcs11Test, VaultEndToEndOnToken) {
  const std::string db_path = dir_ + "/vault.db";
  FakeClock clock(std::chrono::sys_days{std::chrono::year{2026} / 12 / 1});
  auto db = store::SqliteDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  {
    auto provider = OpenToken(kTokenLabel);
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    auto vault = KeyVault::Open(**db, std::move(provider).value(), "", clock);
    ASSERT_TRUE(vault.ok());
    ASSERT_TRUE((*vault)->Initialize({"pkcs11", kModule, kTokenLabel}).ok());
    ASSERT_TRUE((*vault)->StoreApiKey("org-hsm", AsBytes(kApiKey)).ok());
  }
  ExpectNonExtractable("adminauto-master-v1");

  // A new provider instance (a new process in production) opens the key through the token.
  auto provider = OpenToken(kTokenLabel);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  auto vault = KeyVault::Open(**db, std::move(provider).value(), "", clock);
  ASSERT_TRUE(vault.ok());
  auto key = (*vault)->OpenApiKey("org-hsm");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->view(), kApiKey);

  // A changed wrapped data key fails inside the token (SoftHSM reports CKR_GENERAL_ERROR).
  ASSERT_TRUE((*db)
                  ->Exec("UPDATE vault_data_keys SET wrapped = "
                         "substr(wrapped, 1, 30) || x'ff' || substr(wrapped, 32)")
                  .ok());
  EXPECT_EQ((*vault)->OpenApiKey("org-hsm").status().code(), StatusCode::kDataLoss);
}

TEST_F(Pkcs11Test, MasterRotationOnToken) {
  const std::string db_path = dir_ + "/rotation.db";
  FakeClock clock(std::chrono::sys_days{std::chrono::year{2026} / 12 / 1});
  auto db = store::SqliteDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  Pkcs11Options options;
  options.module_path = kModule;
  options.token_label = kTokenLabel;
  options.pin = kPin;
  options.key_label_prefix = "rotation-test-v";
  auto provider = OpenPkcs11MasterKey(std::move(options));
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  MasterKeyProvider* token = provider->get();
  auto vault = KeyVault::Open(**db, std::move(provider).value(), "", clock);
  ASSERT_TRUE(vault.ok());
  ASSERT_TRUE((*vault)->Initialize({"pkcs11", kModule, kTokenLabel}).ok());
  ASSERT_TRUE((*vault)->StoreApiKey("org-a", AsBytes("key-a")).ok());
  ASSERT_TRUE((*vault)->StoreApiKey("org-b", AsBytes("key-b")).ok());

  auto added = (*vault)->AddMasterKeyVersion();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(*added, 2u);
  ASSERT_TRUE((*vault)->PromoteMasterKey(2).ok());
  auto count = (*vault)->RewrapDataKeys();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 2);
  ASSERT_TRUE((*vault)->RetireMasterKey(1).ok());
  EXPECT_EQ(*token->Versions(), std::vector<uint32_t>{2});
  auto a = (*vault)->OpenApiKey("org-a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->view(), "key-a");
  auto b = (*vault)->OpenApiKey("org-b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->view(), "key-b");
}

TEST_F(Pkcs11Test, WrongPinRejected) {
  Pkcs11Options options;
  options.module_path = kModule;
  options.token_label = kTokenLabel;
  options.pin = "0000";
  auto provider = OpenPkcs11MasterKey(std::move(options));
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(provider.status().message().find("0000"), std::string::npos);
}

}  // namespace
}  // namespace adminauto::vault
