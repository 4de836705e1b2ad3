#include "rules/fingerprint.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

namespace adminauto::rules {
namespace {

// Incremental SHA-256 where every value is length-prefixed, so field boundaries cannot be
// shifted to forge the same hash from different content.
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }

  void Add(std::string_view bytes) {
    AddNumber(static_cast<int64_t>(bytes.size()));
    AddRaw(bytes);
  }

  void AddRaw(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }

  void AddNumber(int64_t value) {
    unsigned char buffer[8];
    for (int i = 0; i < 8; ++i) buffer[i] = static_cast<unsigned char>(value >> (8 * i));
    EVP_DigestUpdate(ctx_.get(), buffer, sizeof(buffer));
  }

  void AddTime(const std::optional<Timestamp>& t) {
    AddNumber(t ? 1 : 0);
    if (t) AddNumber(t->time_since_epoch().count());
  }

  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
      hex += kHex[digest[i] >> 4];
      hex += kHex[digest[i] & 0xF];
    }
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

void AddAccount(Hasher& h, const Account& a) {
  h.Add(a.id);
  h.Add(a.name);
  h.Add(a.email);
  h.Add(ToString(a.type));
  h.Add(ToString(a.account_status));
  h.Add(ToString(a.membership_status));
  h.Add(ToString(a.claim_status));
  h.AddTime(a.added_to_org);
  h.AddTime(a.restored_at);
  h.AddNumber(static_cast<int64_t>(a.products.size()));
  for (const auto& p : a.products) {
    h.Add(p.key);
    h.Add(p.site);
    h.Add(p.resource_id);
    h.AddTime(p.last_active);
  }
  h.AddNumber(static_cast<int64_t>(a.group_ids.size()));
  for (const auto& g : a.group_ids) h.Add(g);
  h.AddNumber(static_cast<int64_t>(a.platform_roles.size()));
  for (const auto& r : a.platform_roles) h.Add(r);
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  Hasher h;
  h.AddRaw(bytes);
  return h.HexDigest();
}

std::string DirectoryContentHash(const Directory& directory) {
  Hasher h;
  h.Add(directory.org_id);
  h.Add(directory.directory_id);
  h.AddNumber(static_cast<int64_t>(directory.accounts.size()));
  for (const auto& a : directory.accounts) AddAccount(h, a);
  h.AddNumber(static_cast<int64_t>(directory.groups.size()));
  for (const auto& g : directory.groups) {
    h.Add(g.id);
    h.Add(g.name);
    h.Add(g.description);
    h.AddNumber((g.is_default ? 1 : 0) | (g.external_synced ? 2 : 0) | (g.grants_admin ? 4 : 0));
  }
  return h.HexDigest();
}

std::string RulesContentHash(const std::vector<std::string>& file_contents) {
  Hasher h;
  h.AddNumber(static_cast<int64_t>(file_contents.size()));
  for (const auto& content : file_contents) h.Add(content);
  return h.HexDigest();
}

}  // namespace adminauto::rules
