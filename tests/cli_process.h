// Helpers for tests that run the built `adminauto` binary: a command run through the shell
// with its output, and a command run on a pseudo-terminal, for prompts and the progress bar.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace adminauto::testing {

// Starts `args` (args[0] is the executable's path) with standard output and error sent to
// /dev/null, and returns its process id.
// Standard output and error go to `output_file` (truncated) when it is given, else to
// /dev/null.
inline pid_t StartProcess(const std::vector<std::string>& args,
                          const std::string& output_file = "") {
  // Everything the child needs is prepared before fork(), because the test process runs
  // simulator threads and the child may then only make async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int out_fd = output_file.empty()
                   ? -1
                   : ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0) out_fd = null_fd;
  pid_t pid = ::fork();
  if (pid == 0) {
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (out_fd >= 0) {
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(out_fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (out_fd >= 0 && out_fd != null_fd) ::close(out_fd);
  if (null_fd >= 0) ::close(null_fd);
  return pid;
}

// Waits up to `limit` for process `pid` and kills it when the limit passes. Returns the wait
// status and sets `*timed_out` when the process had to be killed.
inline int WaitOrKill(pid_t pid, std::chrono::milliseconds limit, bool* timed_out) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  *timed_out = false;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      *timed_out = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return status;
}

struct CommandOutput {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;     // standard output, or everything the terminal showed
  std::string err;     // standard error of a shell command
};

// Runs `command` through the shell with standard input from /dev/null. Standard error goes
// through `err_file`, which is overwritten.
inline CommandOutput RunShell(const std::string& command, const std::string& err_file) {
  CommandOutput output;
  FILE* pipe = ::popen((command + " 2>" + err_file + " </dev/null").c_str(), "r");
  if (!pipe) return output;
  std::array<char, 65536> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.out.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  output.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return output;
}

// Runs `args` (args[0] is the executable's path) with standard input, output and error on a
// new pseudo-terminal. Types `answer` and a newline once `prompt` appears. The process is
// killed when it runs longer than `limit`.
inline CommandOutput RunOnTerminal(std::vector<std::string> args, const std::string& prompt,
                                   const std::string& answer, std::chrono::seconds limit) {
  // Everything the child needs is prepared before the fork, because the test process may run
  // threads (the simulator's) and the child may then only make async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  CommandOutput output;
  int terminal = -1;
  pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  if (pid < 0) return output;
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  bool answered = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!answered && output.out.find(prompt) != std::string::npos) {
      std::string line = answer + "\n";
      answered = ::write(terminal, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    }
    pollfd pfd{terminal, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(terminal, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has exited and closed the terminal
    output.out.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    ::usleep(5'000);
  }
  ::close(terminal);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

}  // namespace adminauto::testing
