// Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer, so the seed
// corpus and every regression input run in the ordinary and sanitizer builds too. Arguments are
// files or directories. A missing directory is skipped and a run with no input fails. A crashing
// input ends the process with an abort, a sanitizer report or a signal, which fails the ctest
// test. Each input's name is printed before it runs, so a failure points at it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

void RunFile(const fs::path& path) {
  std::fprintf(stderr, "replaying %s\n", path.c_str());
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy of exactly `size` bytes, so ASan catches a read one past the end of the input as
  // it does under libFuzzer.
  std::vector<uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
}

// Lists the regular files under `dir` in name order, so runs are repeatable.
std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    if (fs::is_directory(arg)) {
      for (const auto& file : FilesUnder(arg)) {
        RunFile(file);
        ++inputs;
      }
    } else if (fs::is_regular_file(arg)) {
      RunFile(arg);
      ++inputs;
    }
  }
  std::printf("replayed %d inputs\n", inputs);
  if (inputs == 0) {
    std::fprintf(stderr, "error: no input found; add a seed file to the corpus directory\n");
    return 1;
  }
  return 0;
}
