// Small helpers for text shown to people.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace adminauto {

// Formats a count with its noun, adding "s" unless the count is 1: "1 action", "5 actions".
// Only for nouns whose plural takes a plain "s".
inline std::string CountNoun(int64_t count, std::string_view noun) {
  std::string text = std::to_string(count) + " " + std::string(noun);
  if (count != 1) text += "s";
  return text;
}

}  // namespace adminauto
