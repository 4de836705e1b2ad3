#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace adminauto {

Result<std::string> ReadWholeFile(const std::string& path, std::string_view what) {
  const std::string name = std::string(what) + " \"" + path + "\"";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return NotFound("cannot open " + name + "; check the path");
    }
    return Unavailable("cannot open " + name + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return InvalidArgument(name + " is a directory; give the path of a file");
  }
  // read(2) rather than a stream: a stream ends quietly at a read error such as EIO, which
  // would make an unreadable file look empty.
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return Unavailable("failed to read " + name + ": " + std::strerror(error));
    }
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

}  // namespace adminauto
