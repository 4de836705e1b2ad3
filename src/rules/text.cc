#include "rules/text.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <cctype>

namespace adminauto::rules {
namespace {

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Lower-cases ASCII letters without the locale lookups of std::tolower.
void AsciiLowerInto(std::string_view text, std::string& out) {
  out.assign(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

std::string AsciiLower(std::string_view text) {
  std::string out;
  AsciiLowerInto(text, out);
  return out;
}

// Applies NFC, case folding and NFC again with ICU.
std::string NormalizeUnicode(std::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return AsciiLower(text);
  icu::UnicodeString unicode = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString normalized = nfc->normalize(unicode, error);
  if (U_FAILURE(error)) return AsciiLower(text);
  normalized.foldCase();
  icu::UnicodeString again = nfc->normalize(normalized, error);
  if (U_FAILURE(error)) return AsciiLower(text);
  std::string out;
  again.toUTF8String(out);
  return out;
}

}  // namespace

std::string NormalizeEmail(std::string_view text) {
  std::string out;
  NormalizeEmailInto(text, out);
  return out;
}

void NormalizeEmailInto(std::string_view text, std::string& out) {
  // NFC of ASCII is ASCII, and ASCII case folding is lower-casing.
  if (IsAscii(text)) {
    AsciiLowerInto(text, out);
    return;
  }
  out = NormalizeUnicode(text);
}

std::string_view EmailDomain(std::string_view email) {
  size_t at = email.rfind('@');
  return at == std::string_view::npos ? std::string_view() : email.substr(at + 1);
}

std::string_view EmailLocalPart(std::string_view email) {
  size_t at = email.rfind('@');
  return at == std::string_view::npos ? email : email.substr(0, at);
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point: linear in practice, no recursion.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace adminauto::rules
