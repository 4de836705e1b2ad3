// Runs the adminauto-sim executable and checks how it stops on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/file.h"
#include "tests/cli_process.h"

namespace adminauto::sim {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class SimMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sim_main_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Output() const {
    return ReadWholeFile((dir_ / "out.log").string(), "simulator output").value_or("");
  }

  fs::path dir_;
};

TEST_F(SimMainTest, StopsWhileSeedingLargeOrg) {
  // Two million generated accounts take far longer than the test's limit to seed.
  pid_t pid = testing::StartProcess({ADMINAUTO_SIM_BINARY, "--port", "0", "--users", "2000000"},
                                    (dir_ / "out.log").string());
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  bool timed_out = false;
  int status = testing::WaitOrKill(pid, milliseconds(5000), &timed_out);
  EXPECT_FALSE(timed_out) << Output();
  ASSERT_TRUE(WIFEXITED(status)) << Output();
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_EQ(Output().find("listening on"), std::string::npos);
}

TEST_F(SimMainTest, StopsCleanlyWhileServing) {
  pid_t pid = testing::StartProcess({ADMINAUTO_SIM_BINARY, "--port", "0", "--users", "10"},
                                    (dir_ / "out.log").string());
  auto deadline = std::chrono::steady_clock::now() + milliseconds(10'000);
  while (Output().find("listening on") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_NE(Output().find("listening on http://127.0.0.1:"), std::string::npos) << Output();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  bool timed_out = false;
  int status = testing::WaitOrKill(pid, milliseconds(5000), &timed_out);
  EXPECT_FALSE(timed_out) << Output();
  ASSERT_TRUE(WIFEXITED(status)) << Output();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(Output().find("stopping signal=15"), std::string::npos) << Output();
}

}  // namespace
}  // namespace adminauto::sim
