// Reads the user export CSV that admin.atlassian.com produces (Directory > Users > Export
// users) into the shared Directory model, so rules can be planned offline and the simulator
// can be seeded from a real org's shape.
//
// The format: an optional UTF-8 byte order mark, LF or CRLF line ends, RFC 4180 quoting, and
// the columns "User id", "User name", "email", "User status" (Active, Suspended or
// Deactivated), "Added to org" and "Org role", then one "Last seen in <product> - <site>"
// column per product and site. In a "Last seen" cell a date such as "3 Jan 2024" is the last
// activity, "Never accessed" is access without recorded activity, and an empty cell is no
// access. Column names match case-insensitively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/directory.h"
#include "core/status.h"

namespace adminauto::importer {

struct UserExport {
  Directory directory;  // org_id is empty and taken_at is the epoch: the file records neither
  // Problems that lost no data, such as unknown columns (named) or unknown org roles.
  std::vector<std::string> warnings;
};

// Parses export text. `source_name` (a file name) prefixes error messages. A malformed file
// returns InvalidArgument naming the line, the column and the fix; nothing is returned
// partially. Accounts keep the file's order. Thread-safe.
Result<UserExport> ParseUserExport(std::string_view text, std::string_view source_name = "export");

// Reads and parses the export file at `path`. NotFound when it cannot be opened.
Result<UserExport> ReadUserExport(const std::string& path);

}  // namespace adminauto::importer
