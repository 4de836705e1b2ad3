#include "core/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace adminauto {
namespace {

namespace fs = std::filesystem;

class ReadWholeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aa-file-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReadWholeFileTest, ReadsBytesIncludingNul) {
  std::string bytes("a\0b\xff", 4);
  std::ofstream(dir_ / "f", std::ios::binary) << bytes;
  auto content = ReadWholeFile((dir_ / "f").string(), "user export");
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  EXPECT_EQ(*content, bytes);
}

TEST_F(ReadWholeFileTest, DirectoryIsNamedNotReadAsEmpty) {
  auto content = ReadWholeFile(dir_.string(), "user export");
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(content.status().message().find("is a directory"), std::string::npos)
      << content.status().message();
  EXPECT_NE(content.status().message().find("user export"), std::string::npos);
}

TEST_F(ReadWholeFileTest, MissingPathIsNotFound) {
  auto content = ReadWholeFile((dir_ / "missing.csv").string(), "rule file");
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), StatusCode::kNotFound);
  EXPECT_NE(content.status().message().find("missing.csv"), std::string::npos);
}

TEST_F(ReadWholeFileTest, ReadErrorIsReportedNotEmpty) {
  // Reading /proc/self/mem at offset 0 fails with EIO: nothing is mapped there.
  auto content = ReadWholeFile("/proc/self/mem", "plan file");
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(content.status().message().find("failed to read plan file"), std::string::npos)
      << content.status().message();
}

}  // namespace
}  // namespace adminauto
