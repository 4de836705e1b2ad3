#include "vault/barrier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "vault/aes_gcm.h"
#include "vault/ciphertext.h"
#include "vault/master_key.h"

namespace adminauto::vault {
namespace {

// base64 of the bytes 0x01..0x20.
constexpr std::string_view kMasterKeyB64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
constexpr std::string_view kApiKey = "ATATT3xFfGF0-test-api-key-value-0123456789";

class BarrierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto provider = ParseMasterKeyList(kMasterKeyB64);
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    provider_ = std::move(provider).value();
    data_key_ = RandomSecret(32);
  }
  std::unique_ptr<MasterKeyProvider> provider_;
  SecretBytes data_key_;
};

TEST_F(BarrierTest, SealedSecretDiffersFromPlaintext) {
  auto sealed = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), kHeaderSize + kApiKey.size() + kGcmTagSize);
  std::string text(sealed->begin(), sealed->end());
  EXPECT_EQ(text.find(kApiKey), std::string::npos);
  EXPECT_EQ(text.find(kApiKey.substr(0, 8)), std::string::npos);
  auto opened = Barrier::OpenSecret("org-a", 1, data_key_, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->view(), kApiKey);
}

TEST_F(BarrierTest, HeaderCarriesVersionAndNonce) {
  auto sealed = Barrier::SealSecret("org-a", 7, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ((*sealed)[0], 'a');
  EXPECT_EQ((*sealed)[1], 'v');
  EXPECT_EQ((*sealed)[2], 1);
  auto header = ParseHeader(*sealed);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->key_version, 7u);
  EXPECT_TRUE(std::equal(header->nonce, header->nonce + 12, sealed->begin() + 7));
}

TEST_F(BarrierTest, EveryFlippedByteFails) {
  auto sealed = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    SCOPED_TRACE(i);
    Bytes changed = *sealed;
    changed[i] ^= 0x01;
    auto opened = Barrier::OpenSecret("org-a", 1, data_key_, changed);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  }
}

TEST_F(BarrierTest, MovedToAnotherOrgFails) {
  auto sealed = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(sealed.ok());
  auto opened = Barrier::OpenSecret("org-b", 1, data_key_, *sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
}

TEST_F(BarrierTest, MovedToAnotherVersionFails) {
  auto sealed = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(Barrier::OpenSecret("org-a", 2, data_key_, *sealed).ok());
}

TEST_F(BarrierTest, TwoEncryptionsDiffer) {
  auto first = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  auto second = Barrier::SealSecret("org-a", 1, data_key_, AsBytes(kApiKey));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_FALSE(std::equal(first->begin() + 7, first->begin() + 19, second->begin() + 7));
}

TEST_F(BarrierTest, WrongDataKeyLengthRejected) {
  for (size_t size : {0u, 16u, 31u, 33u}) {
    SecretBytes key = RandomSecret(size);
    auto sealed = Barrier::SealSecret("org-a", 1, key, AsBytes(kApiKey));
    ASSERT_FALSE(sealed.ok());
    EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(BarrierTest, WrappedDataKeyRoundTrips) {
  Barrier barrier(*provider_);
  auto wrapped = barrier.WrapDataKey("org-a", 3, 1, data_key_);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(wrapped->size(), kHeaderSize + 32 + kGcmTagSize);
  auto unwrapped = barrier.UnwrapDataKey("org-a", 3, *wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEqual(unwrapped->bytes(), data_key_.bytes()));
}

TEST_F(BarrierTest, WrappedDataKeyMovedFails) {
  Barrier barrier(*provider_);
  auto wrapped = barrier.WrapDataKey("org-a", 3, 1, data_key_);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(barrier.UnwrapDataKey("org-b", 3, *wrapped).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(barrier.UnwrapDataKey("org-a", 4, *wrapped).status().code(), StatusCode::kDataLoss);
}

TEST_F(BarrierTest, WrapWithUnknownMasterVersionFails) {
  Barrier barrier(*provider_);
  auto wrapped = barrier.WrapDataKey("org-a", 1, 9, data_key_);
  ASSERT_FALSE(wrapped.ok());
  EXPECT_EQ(wrapped.status().code(), StatusCode::kNotFound);
}

TEST(CiphertextHeader, RejectsMalformedHeaders) {
  Bytes valid = {'a', 'v', 1, 0, 0, 0, 1};
  valid.resize(kMinSealedSize, 0);
  ASSERT_TRUE(ParseHeader(valid).ok());

  Bytes short_value(valid.begin(), valid.begin() + 20);
  EXPECT_NE(ParseHeader(short_value).status().message().find("shorter"), std::string::npos);
  Bytes bad_magic = valid;
  bad_magic[0] = 'x';
  EXPECT_NE(ParseHeader(bad_magic).status().message().find("magic"), std::string::npos);
  Bytes bad_format = valid;
  bad_format[2] = 2;
  EXPECT_NE(ParseHeader(bad_format).status().message().find("format version 2"), std::string::npos);
  Bytes zero_version = valid;
  zero_version[6] = 0;
  EXPECT_NE(ParseHeader(zero_version).status().message().find("key version 0"), std::string::npos);
}

TEST(CiphertextHeader, ReadsBigEndianKeyVersion) {
  Bytes value = {'a', 'v', 1, 0x01, 0x02, 0x03, 0x04};
  value.resize(kMinSealedSize, 0);
  auto header = ParseHeader(value);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->key_version, 0x01020304u);
}

}  // namespace
}  // namespace adminauto::vault
