// Content hashes for plan fingerprints. Apply recomputes these from the current inputs and
// compares them with the plan's fingerprint to reject a stale plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/directory.h"

namespace adminauto::rules {

// Returns the lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Returns the hex SHA-256 of the directory's content: org id and every account and group
// field in order, but not taken_at, so an unchanged re-sync keeps the same hash.
std::string DirectoryContentHash(const Directory& directory);

// Returns the hex SHA-256 over rule file contents in order, each prefixed by its length so
// that moving text between files changes the hash.
std::string RulesContentHash(const std::vector<std::string>& file_contents);

}  // namespace adminauto::rules
