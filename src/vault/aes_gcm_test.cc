#include "vault/aes_gcm.h"

#include <gtest/gtest.h>

#include "vault/test_util.h"

namespace adminauto::vault {
namespace {

using testing::Hex;

struct KnownAnswer {
  const char* name;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

// AES-256 vectors from "The Galois/Counter Mode of Operation (GCM)" by McGrew and Viega, the
// document NIST published with SP 800-38D (test cases 13 to 16), and one vector from NIST
// CAVP gcmEncryptExtIV256.rsp (96-bit IV, 160-bit AAD, 128-bit plaintext and tag).
const KnownAnswer kVectors[] = {
    {"case13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"case16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"cavp_256_96_128_160", "83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a",
     "0b459724904e010a46901cf3", "794a14ccd178c8ebfd1379dc704c5e208f9d8424",
     "33d893a2114ce06fc15d55e454cf90c3", "cc66bee423e3fcd4c0865715e9586696",
     "0fb291bd3dba94a1dfd8b286cfb97ac5"},
};

TEST(AesGcm, EncryptsKnownAnswerVectors) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    auto sealed = AesGcmSeal(Hex(v.key), Hex(v.nonce), Hex(v.aad), Hex(v.plaintext));
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    std::vector<uint8_t> expected = Hex(v.ciphertext);
    std::vector<uint8_t> tag = Hex(v.tag);
    expected.insert(expected.end(), tag.begin(), tag.end());
    EXPECT_EQ(*sealed, expected);
  }
}

TEST(AesGcm, DecryptsKnownAnswerVectors) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    std::vector<uint8_t> input = Hex(v.ciphertext);
    std::vector<uint8_t> tag = Hex(v.tag);
    input.insert(input.end(), tag.begin(), tag.end());
    auto opened = AesGcmOpen(Hex(v.key), Hex(v.nonce), Hex(v.aad), input);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::vector<uint8_t> plaintext = Hex(v.plaintext);
    EXPECT_EQ(std::vector<uint8_t>(opened->bytes().begin(), opened->bytes().end()), plaintext);
  }
}

TEST(AesGcm, RejectsChangedTagOfVector) {
  const auto& v = kVectors[3];
  std::vector<uint8_t> input = Hex(v.ciphertext);
  std::vector<uint8_t> tag = Hex(v.tag);
  tag.back() ^= 0x01;
  input.insert(input.end(), tag.begin(), tag.end());
  auto opened = AesGcmOpen(Hex(v.key), Hex(v.nonce), Hex(v.aad), input);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
}

TEST(AesGcm, RejectsWrongKeyLengths) {
  const std::vector<uint8_t> nonce(12, 0);
  const std::vector<uint8_t> text = {1, 2, 3};
  for (size_t size : {0u, 16u, 24u, 31u, 33u, 64u}) {
    SCOPED_TRACE(size);
    std::vector<uint8_t> key(size, 7);
    auto sealed = AesGcmSeal(key, nonce, {}, text);
    ASSERT_FALSE(sealed.ok());
    EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument);
    std::vector<uint8_t> fake(20, 0);
    auto opened = AesGcmOpen(key, nonce, {}, fake);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(AesGcm, RejectsWrongNonceLength) {
  const std::vector<uint8_t> key(32, 7);
  auto sealed = AesGcmSeal(key, std::vector<uint8_t>(16, 0), {}, std::vector<uint8_t>{1});
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace adminauto::vault
