// Text comparison helpers for rule evaluation: email normalisation and glob patterns.
#pragma once

#include <string>
#include <string_view>

namespace adminauto::rules {

// Returns `text` in Unicode NFC, case-folded, then in NFC again (folding can denormalise), so
// "Ann@X.example", "ann@x.example" and NFD spellings of accented letters compare equal. ASCII
// input takes a fast path. Invalid UTF-8 sequences become U+FFFD. Thread-safe.
std::string NormalizeEmail(std::string_view text);

// Same as NormalizeEmail, writing into `out` so a caller in a loop can reuse its buffer.
void NormalizeEmailInto(std::string_view text, std::string& out);

// Returns the domain of a normalised email (the text after the last '@'), or "".
std::string_view EmailDomain(std::string_view email);

// Returns the local part of an email (the text before the last '@'), or the whole text.
std::string_view EmailLocalPart(std::string_view email);

// Matches `text` against a glob where `*` is any run of characters and `?` one byte.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace adminauto::rules
