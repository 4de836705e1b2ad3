// Reading an org API key from a file, standard input or a terminal prompt, straight into
// guarded memory. The key is never taken from the command line, where `ps` and
// /proc/PID/cmdline would show it.
#pragma once

#include <string>

#include "core/status.h"
#include "vault/secret.h"

namespace adminauto::vault {

// Maximum accepted key size, in bytes. Atlassian org API keys are a few hundred characters.
inline constexpr size_t kMaxApiKeySize = 4096;

// Reads the key from `path`: one line of printable ASCII without spaces; a trailing newline
// is dropped. Errors name the file and never contain key bytes.
Result<SecretBytes> ReadApiKeyFile(const std::string& path);

// Reads the key from file descriptor `fd` (standard input) the same way; `source` names it in
// errors ("standard input").
Result<SecretBytes> ReadApiKeyFd(int fd, const std::string& source);

// Prompts on the terminal (/dev/tty) with echo switched off and reads one line. Fails with
// kFailedPrecondition when there is no terminal.
Result<SecretBytes> PromptApiKey(const std::string& prompt);

// Checks the key's shape: 8 to kMaxApiKeySize printable ASCII characters, no whitespace.
Status ValidateApiKey(const SecretBytes& key, const std::string& source);

}  // namespace adminauto::vault
