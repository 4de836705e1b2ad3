// Rule files: YAML with a top-level `rules:` list, kept in git as rules as code. Every field
// is checked; an error names the file, the line, the field path (such as
// `rules[0].select.inactive_days`) and the fix. Unknown fields are errors, so a misspelt
// `exlude:` cannot silently drop an exclusion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "rules/rule.h"

namespace adminauto::rules {

// Rules read from one or more files, with the file contents for the plan fingerprint.
struct RuleSet {
  std::vector<Rule> rules;
  std::vector<std::string> files;          // paths, in the order given
  std::vector<std::string> file_contents;  // raw bytes of each file
};

// Parses one rule file's text. `file_name` prefixes error messages. Thread-safe.
Result<std::vector<Rule>> ParseRuleFile(std::string_view text, std::string_view file_name);

// Reads and parses rule files in order. Rule names must be unique across all of them.
Result<RuleSet> LoadRuleFiles(const std::vector<std::string>& paths);

}  // namespace adminauto::rules
