#include "rules/fingerprint.h"

#include <gtest/gtest.h>

namespace adminauto::rules {
namespace {

TEST(Fingerprint, Sha256MatchesKnownVector) {
  // The SHA-256 of "abc" is published in FIPS 180-2, appendix B.1.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Fingerprint, DirectoryHashIgnoresTakenAt) {
  Directory a;
  a.org_id = "org-1";
  Account account;
  account.id = "u1";
  account.email = "a@x.example";
  a.accounts.push_back(account);
  Directory b = a;
  b.taken_at = Timestamp(std::chrono::seconds(1000));
  EXPECT_EQ(DirectoryContentHash(a), DirectoryContentHash(b));
}

TEST(Fingerprint, DirectoryHashSeesActivityChange) {
  Directory a;
  Account account;
  account.id = "u1";
  ProductAccess access;
  access.key = "confluence";
  account.products.push_back(access);
  a.accounts.push_back(account);
  Directory b = a;
  b.accounts[0].products[0].last_active = Timestamp(std::chrono::seconds(86400));
  EXPECT_NE(DirectoryContentHash(a), DirectoryContentHash(b));
}

TEST(Fingerprint, RulesHashSeesFileBoundaries) {
  EXPECT_NE(RulesContentHash({"ab", "c"}), RulesContentHash({"a", "bc"}));
  EXPECT_EQ(RulesContentHash({"ab", "c"}), RulesContentHash({"ab", "c"}));
}

}  // namespace
}  // namespace adminauto::rules
