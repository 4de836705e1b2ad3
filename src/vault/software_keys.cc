// The key-file and environment providers: master keys held in this process's guarded memory.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "vault/aes_gcm.h"
#include "vault/master_key.h"

namespace adminauto::vault {
namespace {

constexpr std::string_view kFileHeader =
    "# adminauto master key file: one \"VERSION BASE64KEY\" line per key version.\n"
    "# Keep it mode 0600 and back it up apart from the database.\n";

Result<SecretBytes> DecodeBase64Key(std::string_view text, std::string_view where) {
  SecretBytes key(kAesKeySize + 1);
  size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &decoded, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return InvalidArgument(std::string(where) + ": the key is not valid base64");
  }
  if (decoded != kAesKeySize) {
    return InvalidArgument(std::string(where) + ": the key decodes to " + std::to_string(decoded) +
                           " bytes; a master key is 32 bytes (44 base64 characters)");
  }
  key.Truncate(kAesKeySize);
  return key;
}

SecretBytes EncodeBase64(ByteView bytes) {
  SecretBytes text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(reinterpret_cast<char*>(text.data()), text.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  text.Truncate(text.size() - 1);  // the terminating NUL
  return text;
}

Result<uint32_t> ParseVersion(std::string_view text, std::string_view where) {
  uint32_t version = 0;
  if (text.empty() || text.size() > 9) {
    return InvalidArgument(std::string(where) + ": invalid key version \"" + std::string(text) +
                           "\"; expected a number from 1");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return InvalidArgument(std::string(where) + ": invalid key version \"" + std::string(text) +
                             "\"; expected a number from 1");
    }
    version = version * 10 + static_cast<uint32_t>(c - '0');
  }
  if (version == 0) return InvalidArgument(std::string(where) + ": key version 0 is invalid");
  return version;
}

// Keys held in memory. Subclasses decide where keys persist.
class SoftwareProvider : public MasterKeyProvider {
 public:
  Result<std::vector<uint32_t>> Versions() override {
    std::lock_guard lock(mu_);
    std::vector<uint32_t> versions;
    for (const auto& [version, key] : keys_) versions.push_back(version);
    return versions;
  }

  Result<Bytes> Seal(uint32_t version, ByteView nonce, ByteView aad, ByteView plaintext) override {
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(const SecretBytes* key, Find(version));
    return AesGcmSeal(key->bytes(), nonce, aad, plaintext);
  }

  Result<SecretBytes> Open(uint32_t version, ByteView nonce, ByteView aad,
                           ByteView sealed) override {
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(const SecretBytes* key, Find(version));
    return AesGcmOpen(key->bytes(), nonce, aad, sealed);
  }

  Status Add(uint32_t version, SecretBytes key) {
    if (keys_.count(version) != 0) {
      return InvalidArgument("master key version " + std::to_string(version) + " appears twice");
    }
    key.MakeReadOnly();
    keys_.emplace(version, std::move(key));
    return Status::Ok();
  }

 protected:
  Result<const SecretBytes*> Find(uint32_t version) const {
    auto it = keys_.find(version);
    if (it == keys_.end()) {
      return Status(StatusCode::kNotFound, "master key version " + std::to_string(version) +
                                               " is not held by the " + kind() + " provider");
    }
    return &it->second;
  }

  std::mutex mu_;
  std::map<uint32_t, SecretBytes> keys_;
};

class EnvProvider final : public SoftwareProvider {
 public:
  std::string kind() const override { return "env"; }
  Status CreateVersion(uint32_t version) override {
    return FailedPrecondition("the environment master-key provider cannot create key version " +
                              std::to_string(version) + "; add \"" + std::to_string(version) +
                              ":BASE64KEY\" to " + std::string(kMasterKeyEnv) + " and restart");
  }
  Status DestroyVersion(uint32_t version) override {
    std::lock_guard lock(mu_);
    keys_.erase(version);
    return Status::Ok();
  }
};

class FileProvider final : public SoftwareProvider {
 public:
  explicit FileProvider(std::string path) : path_(std::move(path)) {}
  std::string kind() const override { return "file"; }

  Status CreateVersion(uint32_t version) override {
    std::lock_guard lock(mu_);
    if (keys_.count(version) != 0) {
      return Status(StatusCode::kAlreadyExists,
                    "master key version " + std::to_string(version) + " already exists");
    }
    AA_RETURN_IF_ERROR(Add(version, RandomSecret(kAesKeySize)));
    Status written = WriteFile();
    if (!written.ok()) keys_.erase(version);
    return written;
  }

  Status DestroyVersion(uint32_t version) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(version);
    if (it == keys_.end()) return Status::Ok();
    SecretBytes removed = std::move(it->second);
    keys_.erase(it);
    Status written = WriteFile();
    if (!written.ok()) keys_.emplace(version, std::move(removed));
    return written;
  }

  // Writes every key to a temporary file with mode 0600 and renames it over the key file, so
  // a crash leaves either the old or the new file.
  Status WriteFile() {
    const std::string temp = path_ + ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Internal("cannot write the master key file " + temp + ": " + std::strerror(errno));
    }
    bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, AsBytes(kFileHeader));
    for (const auto& [version, key] : keys_) {
      if (!ok) break;
      SecretBytes encoded = EncodeBase64(key.bytes());
      std::string prefix = std::to_string(version) + " ";
      ok = WriteAll(fd, AsBytes(prefix)) && WriteAll(fd, encoded.bytes()) &&
           WriteAll(fd, AsBytes("\n"));
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), path_.c_str()) != 0) {
      ::unlink(temp.c_str());
      return Internal("cannot write the master key file " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

 private:
  static bool WriteAll(int fd, ByteView bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  std::string path_;
};

Status CheckKeyFileMode(const std::string& path, const struct stat& info) {
  if (!S_ISREG(info.st_mode)) {
    return FailedPrecondition("the master key file " + path + " is not a regular file");
  }
  if (info.st_uid != ::geteuid()) {
    return Status(StatusCode::kPermissionDenied,
                  "the master key file " + path + " is owned by uid " +
                      std::to_string(info.st_uid) + ", not by this process's uid " +
                      std::to_string(::geteuid()) + "; run chown to give it to the service user");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status(StatusCode::kPermissionDenied,
                  "the master key file " + path + " has mode " + mode +
                      ", which lets other users read or change it; run `chmod 600 " + path +
                      "` and try again");
  }
  return Status::Ok();
}

// Parses the key file's text: comment lines start with '#', key lines are "VERSION BASE64".
Status ParseKeyFile(const std::string& path, std::string& text, SoftwareProvider& provider) {
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  Status status;
  while (status.ok() && std::getline(lines, line)) {
    ++line_number;
    std::string where = path + ":" + std::to_string(line_number);
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    if (space == std::string::npos) {
      status = InvalidArgument(where + ": expected \"VERSION BASE64KEY\"");
      break;
    }
    Result<uint32_t> version = ParseVersion(std::string_view(line).substr(0, space), where);
    Result<SecretBytes> key = version.ok()
                                  ? DecodeBase64Key(std::string_view(line).substr(space + 1), where)
                                  : Result<SecretBytes>(version.status());
    status = key.ok() ? provider.Add(*version, std::move(key).value()) : key.status();
    Wipe(line);
  }
  Wipe(line);
  Wipe(text);
  return status;
}

}  // namespace

Status CreateMasterKeyFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    return Status(StatusCode::kAlreadyExists,
                  "the master key file " + path + " already exists; it is never overwritten");
  }
  FileProvider provider(path);
  return provider.CreateVersion(1);
}

Result<std::unique_ptr<MasterKeyProvider>> OpenMasterKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Status(StatusCode::kNotFound, "cannot open the master key file " + path + ": " +
                                             std::strerror(errno) +
                                             "; run `adminauto init` to create it");
  }
  struct stat info;
  Status mode = ::fstat(fd, &info) == 0 ? CheckKeyFileMode(path, info)
                                        : Internal("cannot stat the master key file " + path);
  std::string text;
  if (mode.ok()) {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
    sodium_memzero(buffer, sizeof buffer);
  }
  ::close(fd);
  AA_RETURN_IF_ERROR(mode);
  auto provider = std::make_unique<FileProvider>(path);
  AA_RETURN_IF_ERROR(ParseKeyFile(path, text, *provider));
  AA_ASSIGN_OR_RETURN(std::vector<uint32_t> versions, provider->Versions());
  if (versions.empty()) return InvalidArgument("the master key file " + path + " holds no key");
  return std::unique_ptr<MasterKeyProvider>(std::move(provider));
}

Result<std::unique_ptr<MasterKeyProvider>> ParseMasterKeyList(std::string_view text) {
  auto provider = std::make_unique<EnvProvider>();
  const std::string where(kMasterKeyEnv);
  if (text.find(':') == std::string_view::npos) {
    AA_ASSIGN_OR_RETURN(SecretBytes key, DecodeBase64Key(text, where));
    AA_RETURN_IF_ERROR(provider->Add(1, std::move(key)));
    return std::unique_ptr<MasterKeyProvider>(std::move(provider));
  }
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument(where + ": expected comma-separated VERSION:BASE64KEY entries");
    }
    AA_ASSIGN_OR_RETURN(uint32_t version, ParseVersion(entry.substr(0, colon), where));
    AA_ASSIGN_OR_RETURN(SecretBytes key, DecodeBase64Key(entry.substr(colon + 1), where));
    AA_RETURN_IF_ERROR(provider->Add(version, std::move(key)));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return std::unique_ptr<MasterKeyProvider>(std::move(provider));
}

Result<std::unique_ptr<MasterKeyProvider>> OpenEnvMasterKey(std::string_view name) {
  const std::string variable(name);
  char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    return Status(StatusCode::kNotFound, "environment variable " + variable + " is not set");
  }
  auto provider = ParseMasterKeyList(value);
  // Overwrite the value in the environment block before unsetting it: unsetenv only removes
  // the pointer, and the bytes would stay readable in /proc/PID/environ.
  sodium_memzero(value, std::strlen(value));
  ::unsetenv(variable.c_str());
  return provider;
}

SecretBytes NewBase64MasterKey() {
  SecretBytes key = RandomSecret(kAesKeySize);
  return EncodeBase64(key.bytes());
}

}  // namespace adminauto::vault
