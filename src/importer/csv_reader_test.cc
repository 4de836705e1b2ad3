#include "importer/csv_reader.h"

#include <gtest/gtest.h>

namespace adminauto::importer {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvReader, SplitsPlainRecords) {
  auto records = ParseCsv("a,b,c\n1,,3\n");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ((*records)[1].fields, (Fields{"1", "", "3"}));
  EXPECT_EQ((*records)[1].line, 2);
}

TEST(CsvReader, SkipsBomAndHandlesCrlf) {
  auto records = ParseCsv("\xEF\xBB\xBFid,name\r\n1,x\r\n2,y");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].fields, (Fields{"id", "name"}));
  EXPECT_EQ((*records)[2].fields, (Fields{"2", "y"}));
  EXPECT_EQ((*records)[2].line, 3);
}

TEST(CsvReader, QuotedFieldsKeepCommasQuotesNewlines) {
  auto records = ParseCsv("\"Brown, Jr.\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nnext,1,2\n");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].fields, (Fields{"Brown, Jr.", "say \"hi\"", "two\r\nlines"}));
  // The second record starts on line 3 because the quoted field spans two lines.
  EXPECT_EQ((*records)[1].line, 3);
}

TEST(CsvReader, TrailingCommaGivesEmptyField) {
  auto records = ParseCsv("a,b,");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ((*records)[0].fields, (Fields{"a", "b", ""}));
}

TEST(CsvReader, SkipsBlankLines) {
  auto records = ParseCsv("a\n\n\r\nb\n");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].line, 4);
}

TEST(CsvReader, UnclosedQuoteNamesItsStart) {
  auto records = ParseCsv("a,b\nx,\"open\nmore");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("line 2, column 3"), std::string::npos)
      << records.status().message();
  EXPECT_NE(records.status().message().find("not closed"), std::string::npos);
}

TEST(CsvReader, TextAfterClosingQuoteRejected) {
  auto records = ParseCsv("a,\"b\"c\n");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("line 1, column 6"), std::string::npos)
      << records.status().message();
}

TEST(CsvReader, QuoteInPlainFieldRejected) {
  auto records = ParseCsv("ab\"c\n");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("line 1, column 3"), std::string::npos)
      << records.status().message();
}

TEST(CsvReader, InvalidUtf8Rejected) {
  auto records = ParseCsv("ok\nab\xC3(\n");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("line 2, column 3"), std::string::npos)
      << records.status().message();
  EXPECT_NE(records.status().message().find("UTF-8"), std::string::npos);
}

TEST(CsvReader, LoneCarriageReturnRejected) {
  auto records = ParseCsv("a\rb\n");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("carriage return"), std::string::npos);
}

TEST(CsvReader, NulByteIsRejectedWithPlace) {
  auto records = ParseCsv(std::string("id,name\n1,An\0n\n", 14));
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("line 2, column 5"), std::string::npos)
      << records.status().message();
  EXPECT_NE(records.status().message().find("NUL byte"), std::string::npos);
}

}  // namespace
}  // namespace adminauto::importer
