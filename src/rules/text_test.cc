#include "rules/text.h"

#include <gtest/gtest.h>

namespace adminauto::rules {
namespace {

TEST(NormalizeEmail, FoldsAsciiCase) {
  EXPECT_EQ(NormalizeEmail("Ann.Lee@ACME.Example"), "ann.lee@acme.example");
}

TEST(NormalizeEmail, NfdEqualsNfc) {
  // "é" as U+0065 U+0301 (NFD) and as U+00E9 (NFC).
  EXPECT_EQ(NormalizeEmail("Jose\xCC\x81@x.example"), NormalizeEmail("jos\xC3\xA9@x.example"));
  EXPECT_EQ(NormalizeEmail("JOS\xC3\x89@x.example"), "jos\xC3\xA9@x.example");
}

TEST(NormalizeEmail, FoldsNonLatinCase) {
  // Cyrillic "ПАВЕЛ" folds to "павел".
  EXPECT_EQ(NormalizeEmail("\xD0\x9F\xD0\x90\xD0\x92\xD0\x95\xD0\x9B@x.example"),
            "\xD0\xBF\xD0\xB0\xD0\xB2\xD0\xB5\xD0\xBB@x.example");
}

TEST(EmailParts, SplitAtLastAt) {
  EXPECT_EQ(EmailDomain("a@b@c.example"), "c.example");
  EXPECT_EQ(EmailLocalPart("a@b@c.example"), "a@b");
  EXPECT_EQ(EmailDomain("no-at"), "");
  EXPECT_EQ(EmailLocalPart("no-at"), "no-at");
}

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("svc-*", "svc-deploy"));
  EXPECT_TRUE(GlobMatch("*-bot", "build-bot"));
  EXPECT_FALSE(GlobMatch("*-bot", "abbot"));
  EXPECT_TRUE(GlobMatch("*automation*", "jira-automation"));
  EXPECT_TRUE(GlobMatch("b?t", "bot"));
  EXPECT_FALSE(GlobMatch("b?t", "boot"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
}

}  // namespace
}  // namespace adminauto::rules
