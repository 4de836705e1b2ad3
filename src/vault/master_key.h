// Master-key providers. A provider holds one or more versions of the 256-bit master key and
// performs AES-256-GCM with them; it never hands a key out. Data keys are wrapped and
// unwrapped through it (by Barrier), so with the PKCS#11 provider the master key stays inside
// the token. Versions are numbered from 1; which version wraps new data keys is recorded in
// the database (see KeyVault), not by the provider.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "vault/secret.h"

namespace adminauto::vault {

class MasterKeyProvider {
 public:
  virtual ~MasterKeyProvider() = default;

  // "file", "env" or "pkcs11".
  virtual std::string kind() const = 0;

  // The key versions this provider holds, ascending.
  virtual Result<std::vector<uint32_t>> Versions() = 0;

  // Creates version `version` (a fresh random key, or a key generated inside the token).
  // Fails with kAlreadyExists if it exists, kFailedPrecondition if the provider cannot create
  // keys (the environment provider).
  virtual Status CreateVersion(uint32_t version) = 0;

  // Destroys version `version` for good. Data wrapped by it can no longer be opened.
  virtual Status DestroyVersion(uint32_t version) = 0;

  // AES-256-GCM with master key `version`: returns ciphertext || 16-byte tag.
  virtual Result<Bytes> Seal(uint32_t version, ByteView nonce, ByteView aad,
                             ByteView plaintext) = 0;

  // Opens ciphertext || tag; kDataLoss when authentication fails, kNotFound when the version
  // is not held.
  virtual Result<SecretBytes> Open(uint32_t version, ByteView nonce, ByteView aad,
                                   ByteView sealed) = 0;
};

// --- Key file ---

// The key file's name inside the data directory.
inline constexpr std::string_view kMasterKeyFileName = "master.key";

// Creates a key file at `path` with mode 0600 holding a random version 1. Fails with
// kAlreadyExists if the file exists (it is never overwritten).
Status CreateMasterKeyFile(const std::string& path);

// Opens the key file at `path`. Rejects a file that a group or other users can read or write
// (the message gives the chmod command that fixes it) and a file owned by another user.
// The returned provider is thread-safe.
Result<std::unique_ptr<MasterKeyProvider>> OpenMasterKeyFile(const std::string& path);

// --- Environment variable ---

inline constexpr std::string_view kMasterKeyEnv = "ADMINAUTO_MASTER_KEY";

// Reads the master key from environment variable `name`: either one base64 key (version 1)
// or comma-separated "VERSION:BASE64" entries. Each key decodes to 32 bytes. After reading,
// the value is wiped from the environment block and the variable unset, so it no longer
// shows in /proc/PID/environ. Returns kNotFound when the variable is unset.
Result<std::unique_ptr<MasterKeyProvider>> OpenEnvMasterKey(std::string_view name = kMasterKeyEnv);

// Parses the environment variable's value format (also used by tests). Does not touch the
// environment.
Result<std::unique_ptr<MasterKeyProvider>> ParseMasterKeyList(std::string_view text);

// Returns a new random 32-byte key, base64-encoded (standard alphabet, padded), in guarded
// memory: the value to put in ADMINAUTO_MASTER_KEY.
SecretBytes NewBase64MasterKey();

// --- PKCS#11 token ---

struct Pkcs11Options {
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label;  // the token is selected by label, never by slot number
  std::string pin;          // user PIN; wiped by the provider after login
  // Master key versions are secret-key objects labelled PREFIX + version ("adminauto-master-v1").
  std::string key_label_prefix = "adminauto-master-v";
};

// Loads the module with dlopen, finds the token by label and logs in. Keys are created on the
// token as sensitive, non-extractable AES-256 keys; Seal and Open run CKM_AES_GCM inside the
// token. The provider is thread-safe (calls are serialised on one session).
Result<std::unique_ptr<MasterKeyProvider>> OpenPkcs11MasterKey(Pkcs11Options options);

// Environment variables the CLI reads to configure the PKCS#11 provider.
inline constexpr std::string_view kPkcs11ModuleEnv = "ADMINAUTO_PKCS11_MODULE";
inline constexpr std::string_view kPkcs11TokenEnv = "ADMINAUTO_PKCS11_TOKEN";
inline constexpr std::string_view kPkcs11PinEnv = "ADMINAUTO_PKCS11_PIN";
inline constexpr std::string_view kPkcs11PinFileEnv = "ADMINAUTO_PKCS11_PIN_FILE";

}  // namespace adminauto::vault
