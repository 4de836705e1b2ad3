// Helpers shared by the vault tests.
#pragma once

#include <cstdint>
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

}  // namespace adminauto::vault::testing
