// A strict RFC 4180 CSV reader: comma separators, LF or CRLF record ends, quoted fields that
// may hold commas, doubled quotes and line breaks. Used by the user-export importer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace adminauto::importer {

struct CsvRecord {
  int line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Splits `text` into records. A leading UTF-8 byte order mark is skipped, blank lines are
// skipped, and the text must be valid UTF-8. A syntax error returns InvalidArgument naming
// the line and column (1-based, in bytes) and what was expected. Thread-safe.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace adminauto::importer
