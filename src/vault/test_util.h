// Helpers shared by the vault tests.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace adminauto::vault::testing {

// Decodes a hex string written in a test ("0a1b..."); whitespace is ignored.
inline std::vector<uint8_t> Hex(std::string_view text) {
  std::vector<uint8_t> out;
  int high = -1;
  for (char c : text) {
    int nibble = -1;
    if (c >= '0' && c <= '9') nibble = c - '0';
    if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
    if (nibble < 0) continue;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + nibble));
      high = -1;
    }
  }
  return out;
}

// Reads the whole file at `path`; empty when it cannot be read.
inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Encodes `bytes` as base64 in libsodium's `variant`.
inline std::string Base64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);
  return out;
}

// Encodes `bytes` as hex digits, lower or upper case.
inline std::string HexEncode(std::string_view bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// Every form of `key` a leak search looks for: raw, base64 (standard and URL-safe alphabets)
// and hex (both cases).
inline std::vector<std::string> KeyEncodings(std::string_view key) {
  return {std::string(key), Base64(key, sodium_base64_VARIANT_ORIGINAL),
          Base64(key, sodium_base64_VARIANT_URLSAFE_NO_PADDING), HexEncode(key, false),
          HexEncode(key, true)};
}

}  // namespace adminauto::vault::testing
