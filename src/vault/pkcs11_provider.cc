// The PKCS#11 master-key provider. Master keys are AES-256 secret-key objects created on the
// token as sensitive and non-extractable, and every wrap and unwrap is a CKM_AES_GCM
// C_Encrypt or C_Decrypt inside the token, so the master key never enters this process.
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <cstring>
#include <map>
#include <mutex>

#include "core/log.h"
#include "vault/aes_gcm.h"
#include "vault/master_key.h"

namespace adminauto::vault {
namespace {

std::string RvText(CK_RV rv) {
  char text[32];
  std::snprintf(text, sizeof text, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return text;
}

// Token labels are 32 bytes padded with spaces.
std::string TrimLabel(const unsigned char* label, size_t size) {
  std::string text(reinterpret_cast<const char*>(label), size);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

class Pkcs11Provider final : public MasterKeyProvider {
 public:
  explicit Pkcs11Provider(Pkcs11Options options) : options_(std::move(options)) {}

  // NOTE: C_Finalize ends the module's state for the whole process, so two providers open on
  // the same module at once must not be destroyed while the other is still in use.
  ~Pkcs11Provider() override {
    if (functions_ != nullptr) {
      if (session_ != CK_INVALID_HANDLE) {
        functions_->C_Logout(session_);
        functions_->C_CloseSession(session_);
      }
      functions_->C_Finalize(nullptr);
    }
    if (module_ != nullptr) ::dlclose(module_);
  }

  std::string kind() const override { return "pkcs11"; }

  // Loads the module, finds the token by label, opens a session and logs in.
  Status Connect() {
    module_ = ::dlopen(options_.module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module_ == nullptr) {
      return FailedPrecondition("cannot load the PKCS#11 module " + options_.module_path + ": " +
                                ::dlerror());
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(module_, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&functions_) != CKR_OK || functions_ == nullptr) {
      functions_ = nullptr;
      return FailedPrecondition("the PKCS#11 module " + options_.module_path +
                                " has no usable C_GetFunctionList");
    }
    CK_C_INITIALIZE_ARGS init_args{};
    init_args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = functions_->C_Initialize(&init_args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      functions_ = nullptr;
      return FailedPrecondition("C_Initialize of " + options_.module_path +
                                " failed: " + RvText(rv));
    }
    AA_ASSIGN_OR_RETURN(CK_SLOT_ID slot, FindSlot());
    rv = functions_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                   &session_);
    if (rv != CKR_OK) return FailedPrecondition("C_OpenSession failed: " + RvText(rv));
    rv =
        functions_->C_Login(session_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(options_.pin.data()),
                            options_.pin.size());
    Wipe(options_.pin);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
      return Status(StatusCode::kPermissionDenied,
                    "login to PKCS#11 token \"" + options_.token_label + "\" failed (" +
                        RvText(rv) + "); check " + std::string(kPkcs11PinEnv) + " or " +
                        std::string(kPkcs11PinFileEnv));
    }
    return Status::Ok();
  }

  Result<std::vector<uint32_t>> Versions() override {
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(auto keys, FindKeys());
    std::vector<uint32_t> versions;
    for (const auto& [version, handle] : keys) versions.push_back(version);
    return versions;
  }

  Status CreateVersion(uint32_t version) override {
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(auto keys, FindKeys());
    if (keys.count(version) != 0) {
      return Status(StatusCode::kAlreadyExists, "master key version " + std::to_string(version) +
                                                    " already exists on the token");
    }
    std::string label = options_.key_label_prefix + std::to_string(version);
    CK_OBJECT_CLASS key_class = CKO_SECRET_KEY;
    CK_KEY_TYPE key_type = CKK_AES;
    CK_ULONG value_len = kAesKeySize;
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE attributes[] = {
        {CKA_CLASS, &key_class, sizeof key_class},
        {CKA_KEY_TYPE, &key_type, sizeof key_type},
        {CKA_VALUE_LEN, &value_len, sizeof value_len},
        {CKA_LABEL, label.data(), label.size()},
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_ENCRYPT, &yes, sizeof yes},
        {CKA_DECRYPT, &yes, sizeof yes},
        {CKA_WRAP, &no, sizeof no},
        {CKA_UNWRAP, &no, sizeof no},
    };
    CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    CK_RV rv = functions_->C_GenerateKey(session_, &mechanism, attributes,
                                         sizeof attributes / sizeof attributes[0], &handle);
    if (rv != CKR_OK) return Internal("C_GenerateKey on the token failed: " + RvText(rv));
    return Status::Ok();
  }

  Status DestroyVersion(uint32_t version) override {
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(auto keys, FindKeys());
    auto it = keys.find(version);
    if (it == keys.end()) return Status::Ok();
    CK_RV rv = functions_->C_DestroyObject(session_, it->second);
    if (rv != CKR_OK) return Internal("C_DestroyObject failed: " + RvText(rv));
    return Status::Ok();
  }

  Result<Bytes> Seal(uint32_t version, ByteView nonce, ByteView aad, ByteView plaintext) override {
    if (nonce.size() != kGcmNonceSize) return InvalidArgument("GCM nonce must be 12 bytes");
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key, FindKey(version));
    Bytes nonce_copy(nonce.begin(), nonce.end());
    Bytes aad_copy(aad.begin(), aad.end());
    CK_GCM_PARAMS params = GcmParams(nonce_copy, aad_copy);
    CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
    CK_RV rv = functions_->C_EncryptInit(session_, &mechanism, key);
    if (rv != CKR_OK) return Internal("C_EncryptInit (AES-GCM) failed: " + RvText(rv));
    Bytes input(plaintext.begin(), plaintext.end());
    Bytes out(plaintext.size() + kGcmTagSize);
    CK_ULONG out_len = out.size();
    rv = functions_->C_Encrypt(session_, input.data(), input.size(), out.data(), &out_len);
    Wipe(input);
    if (rv != CKR_OK) return Internal("C_Encrypt (AES-GCM) failed: " + RvText(rv));
    out.resize(out_len);
    return out;
  }

  Result<SecretBytes> Open(uint32_t version, ByteView nonce, ByteView aad,
                           ByteView sealed) override {
    if (nonce.size() != kGcmNonceSize) return InvalidArgument("GCM nonce must be 12 bytes");
    if (sealed.size() < kGcmTagSize) return DataLoss("sealed value shorter than the GCM tag");
    std::lock_guard lock(mu_);
    AA_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key, FindKey(version));
    Bytes nonce_copy(nonce.begin(), nonce.end());
    Bytes aad_copy(aad.begin(), aad.end());
    Bytes input(sealed.begin(), sealed.end());
    CK_GCM_PARAMS params = GcmParams(nonce_copy, aad_copy);
    CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
    CK_RV rv = functions_->C_DecryptInit(session_, &mechanism, key);
    if (rv != CKR_OK) return Internal("C_DecryptInit (AES-GCM) failed: " + RvText(rv));
    SecretBytes out(sealed.size());
    CK_ULONG out_len = out.size();
    rv = functions_->C_Decrypt(session_, input.data(), input.size(), out.data(), &out_len);
    if (rv != CKR_OK) {
      // SoftHSM 2.6 reports a GCM tag mismatch as CKR_GENERAL_ERROR; other tokens use
      // CKR_ENCRYPTED_DATA_INVALID. Both mean the value does not authenticate.
      if (rv == CKR_GENERAL_ERROR || rv == CKR_ENCRYPTED_DATA_INVALID ||
          rv == CKR_ENCRYPTED_DATA_LEN_RANGE) {
        return DataLoss("authentication failed inside the token (" + RvText(rv) +
                        "): the ciphertext, its associated data or the key does not match");
      }
      return Internal("C_Decrypt (AES-GCM) failed: " + RvText(rv));
    }
    out.Truncate(out_len);
    return out;
  }

 private:
  static CK_GCM_PARAMS GcmParams(Bytes& nonce, Bytes& aad) {
    CK_GCM_PARAMS params{};
    params.pIv = nonce.data();
    params.ulIvLen = nonce.size();
    params.ulIvBits = nonce.size() * 8;
    params.pAAD = aad.empty() ? nullptr : aad.data();
    params.ulAADLen = aad.size();
    params.ulTagBits = kGcmTagSize * 8;
    return params;
  }

  Result<CK_SLOT_ID> FindSlot() {
    CK_ULONG count = 0;
    CK_RV rv = functions_->C_GetSlotList(CK_TRUE, nullptr, &count);
    if (rv != CKR_OK) return FailedPrecondition("C_GetSlotList failed: " + RvText(rv));
    std::vector<CK_SLOT_ID> slots(count);
    rv = functions_->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv != CKR_OK) return FailedPrecondition("C_GetSlotList failed: " + RvText(rv));
    slots.resize(count);
    for (CK_SLOT_ID slot : slots) {
      CK_TOKEN_INFO info;
      if (functions_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
      if (TrimLabel(info.label, sizeof info.label) == options_.token_label) return slot;
    }
    return Status(StatusCode::kNotFound, "no PKCS#11 token labelled \"" + options_.token_label +
                                             "\" in " + options_.module_path +
                                             "; check the label with `softhsm2-util --show-slots`"
                                             " or the HSM's tool");
  }

  // Maps version -> object handle for every key whose label has the configured prefix.
  Result<std::map<uint32_t, CK_OBJECT_HANDLE>> FindKeys() {
    CK_OBJECT_CLASS key_class = CKO_SECRET_KEY;
    CK_ATTRIBUTE filter[] = {{CKA_CLASS, &key_class, sizeof key_class}};
    CK_RV rv = functions_->C_FindObjectsInit(session_, filter, 1);
    if (rv != CKR_OK) return Internal("C_FindObjectsInit failed: " + RvText(rv));
    std::vector<CK_OBJECT_HANDLE> handles;
    CK_OBJECT_HANDLE batch[32];
    CK_ULONG found = 0;
    while (functions_->C_FindObjects(session_, batch, 32, &found) == CKR_OK && found > 0) {
      handles.insert(handles.end(), batch, batch + found);
    }
    functions_->C_FindObjectsFinal(session_);
    std::map<uint32_t, CK_OBJECT_HANDLE> keys;
    for (CK_OBJECT_HANDLE handle : handles) {
      char label[128] = {};
      CK_ATTRIBUTE attribute{CKA_LABEL, label, sizeof label - 1};
      if (functions_->C_GetAttributeValue(session_, handle, &attribute, 1) != CKR_OK) continue;
      std::string_view text(label, attribute.ulValueLen);
      if (!text.starts_with(options_.key_label_prefix)) continue;
      std::string_view digits = text.substr(options_.key_label_prefix.size());
      uint32_t version = 0;
      bool numeric = !digits.empty() && digits.size() <= 9;
      for (char c : digits) {
        numeric = numeric && c >= '0' && c <= '9';
        version = version * 10 + static_cast<uint32_t>(c - '0');
      }
      if (numeric && version > 0) keys[version] = handle;
    }
    return keys;
  }

  Result<CK_OBJECT_HANDLE> FindKey(uint32_t version) {
    AA_ASSIGN_OR_RETURN(auto keys, FindKeys());
    auto it = keys.find(version);
    if (it == keys.end()) {
      return Status(StatusCode::kNotFound, "master key version " + std::to_string(version) +
                                               " is not on PKCS#11 token \"" +
                                               options_.token_label + "\"");
    }
    return it->second;
  }

  Pkcs11Options options_;
  std::mutex mu_;
  void* module_ = nullptr;
  CK_FUNCTION_LIST_PTR functions_ = nullptr;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

}  // namespace

Result<std::unique_ptr<MasterKeyProvider>> OpenPkcs11MasterKey(Pkcs11Options options) {
  if (options.token_label.empty()) {
    return InvalidArgument("no PKCS#11 token label given; set " + std::string(kPkcs11TokenEnv));
  }
  auto provider = std::make_unique<Pkcs11Provider>(std::move(options));
  AA_RETURN_IF_ERROR(provider->Connect());
  return std::unique_ptr<MasterKeyProvider>(std::move(provider));
}

}  // namespace adminauto::vault
