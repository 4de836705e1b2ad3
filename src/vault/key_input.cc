#include "vault/key_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace adminauto::vault {
namespace {

// Reads up to kMaxApiKeySize + 1 bytes, or up to the first newline when `one_line` is set,
// into guarded memory, so a too-long input is detected without keeping it.
Result<SecretBytes> ReadBounded(int fd, const std::string& source, bool one_line) {
  SecretBytes buffer(kMaxApiKeySize + 2);
  if (!buffer.valid()) return Internal("cannot allocate guarded memory for the API key");
  size_t size = 0;
  while (size < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + size, one_line ? 1 : buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Internal("cannot read the API key from " + source + ": " + std::strerror(errno));
    if (n == 0) break;
    size += static_cast<size_t>(n);
    if (one_line && buffer.data()[size - 1] == '\n') break;
  }
  // Drop one trailing line ending ("\n" or "\r\n").
  if (size > 0 && buffer.data()[size - 1] == '\n') --size;
  if (size > 0 && buffer.data()[size - 1] == '\r') --size;
  buffer.Truncate(size);
  AA_RETURN_IF_ERROR(ValidateApiKey(buffer, source));
  return buffer;
}

}  // namespace

Status ValidateApiKey(const SecretBytes& key, const std::string& source) {
  if (key.empty()) return InvalidArgument("the API key from " + source + " is empty");
  if (key.size() > kMaxApiKeySize) {
    return InvalidArgument("the API key from " + source + " is longer than " +
                           std::to_string(kMaxApiKeySize) + " bytes; it must contain only the key");
  }
  if (key.size() < 8) {
    return InvalidArgument("the API key from " + source + " is " + std::to_string(key.size()) +
                           " bytes, too short to be an org API key");
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const uint8_t c = key.data()[i];
    if (c <= 0x20 || c >= 0x7f) {
      return InvalidArgument("the API key from " + source +
                             " contains a space, line break or "
                             "non-ASCII byte at offset " +
                             std::to_string(i) + "; it must contain only the key on one line");
    }
  }
  return Status::Ok();
}

Result<SecretBytes> ReadApiKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return NotFound("cannot open the API key file " + path + ": " + std::strerror(errno));
  }
  auto key = ReadBounded(fd, "file " + path, false);
  ::close(fd);
  return key;
}

Result<SecretBytes> ReadApiKeyFd(int fd, const std::string& source) {
  return ReadBounded(fd, source, false);
}

Result<SecretBytes> PromptApiKey(const std::string& prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return FailedPrecondition(
        "no terminal to prompt for the API key; pass --api-key-file FILE "
        "or --api-key-stdin");
  }
  struct termios saved;
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  auto key = ReadBounded(tty, "the terminal", true);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  ::close(tty);
  return key;
}

}  // namespace adminauto::vault
