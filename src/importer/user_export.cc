#include "importer/user_export.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/file.h"
#include "importer/csv_reader.h"

namespace adminauto::importer {
namespace {

enum class ColumnKind { kId, kName, kEmail, kStatus, kAddedToOrg, kOrgRole, kLastSeen, kUnknown };

struct Column {
  ColumnKind kind = ColumnKind::kUnknown;
  std::string header;
  std::string product_key;  // kLastSeen only
  std::string site;         // kLastSeen only; empty when the header names no site
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Shortens a value from the file to at most 64 bytes for a message, at a UTF-8 character boundary,
// so a huge cell does not flood the terminal or the log.
std::string Shorten(std::string_view value) {
  constexpr size_t kMax = 64;
  if (value.size() <= kMax) return std::string(value);
  size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  return std::string(value.substr(0, end)) + "...";
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Turns an unrecognised product name into a key-like spelling: "Statuspage" -> "statuspage",
// "Jira Align" -> "jira-align".
std::string SlugOf(std::string_view name) {
  std::string slug;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

Column ClassifyHeader(std::string_view raw, std::vector<std::string>& warnings) {
  Column column;
  column.header = std::string(Trim(raw));
  std::string lower = Lower(column.header);
  static const std::map<std::string, ColumnKind, std::less<>> kFixed = {
      {"user id", ColumnKind::kId},         {"user name", ColumnKind::kName},
      {"email", ColumnKind::kEmail},        {"email address", ColumnKind::kEmail},
      {"user status", ColumnKind::kStatus}, {"added to org", ColumnKind::kAddedToOrg},
      {"org role", ColumnKind::kOrgRole},
  };
  if (auto it = kFixed.find(lower); it != kFixed.end()) {
    column.kind = it->second;
    return column;
  }
  constexpr std::string_view kLastSeen = "last seen in ";
  if (lower.rfind(kLastSeen, 0) != 0) return column;  // kUnknown

  column.kind = ColumnKind::kLastSeen;
  std::string_view rest = std::string_view(column.header).substr(kLastSeen.size());
  std::string_view product = rest;
  if (size_t dash = rest.rfind(" - "); dash != std::string_view::npos) {
    product = Trim(rest.substr(0, dash));
    column.site = std::string(Trim(rest.substr(dash + 3)));
  }
  if (auto key = ProductKeyForExportName(product)) {
    column.product_key = *key;
  } else if (SlugOf(product).empty()) {
    // The product name has no letter or digit, so no product key can be made from it.
    column.kind = ColumnKind::kUnknown;
  } else {
    // Kept rather than dropped: activity in any product counts when a rule names no
    // products, so dropping it could make an active person look inactive.
    column.product_key = SlugOf(product);
    warnings.push_back("unknown product \"" + Shorten(product) + "\" in column \"" +
                       Shorten(column.header) + "\": kept as product key \"" +
                       Shorten(column.product_key) + "\"");
  }
  return column;
}

class Importer {
 public:
  explicit Importer(std::string_view source) : source_(source) {}

  Result<UserExport> Run(std::string_view text) {
    auto records = ParseCsv(text);
    if (!records.ok()) return records.status().WithContext(source_);
    if (records->empty()) {
      return InvalidArgument(source_ +
                             ": the file is empty; expected a header line such as "
                             "\"User id,User name,email,User status,...\"");
    }
    AA_RETURN_IF_ERROR(ReadHeader((*records)[0]));
    result_.directory.accounts.reserve(records->size() - 1);
    std::unordered_map<std::string, int> first_line_of_id;
    for (size_t i = 1; i < records->size(); ++i) {
      const CsvRecord& record = (*records)[i];
      AA_ASSIGN_OR_RETURN(Account account, ReadAccount(record));
      auto [it, inserted] = first_line_of_id.emplace(account.id, record.line);
      if (!inserted) {
        return InvalidArgument(source_ + ": line " + std::to_string(record.line) + ": user id \"" +
                               Shorten(account.id) + "\" already appears on line " +
                               std::to_string(it->second) + "; remove the duplicate row");
      }
      result_.directory.accounts.push_back(std::move(account));
    }
    return std::move(result_);
  }

 private:
  Status ReadHeader(const CsvRecord& header) {
    std::map<std::string, size_t> seen;  // lower-cased header -> column index
    for (size_t i = 0; i < header.fields.size(); ++i) {
      Column column = ClassifyHeader(header.fields[i], result_.warnings);
      std::string lower = Lower(column.header);
      if (auto [it, inserted] = seen.emplace(lower, i); !inserted) {
        return InvalidArgument(source_ + ": line " + std::to_string(header.line) + ": column " +
                               std::to_string(i + 1) + " \"" + Shorten(column.header) +
                               "\" repeats column " + std::to_string(it->second + 1) +
                               "; remove one of them");
      }
      if (column.kind == ColumnKind::kUnknown) {
        result_.warnings.push_back("unknown column \"" + Shorten(column.header) + "\" (column " +
                                   std::to_string(i + 1) + ") ignored");
      }
      columns_.push_back(std::move(column));
    }
    for (auto [kind, name] :
         {std::pair{ColumnKind::kId, "User id"}, std::pair{ColumnKind::kEmail, "email"},
          std::pair{ColumnKind::kStatus, "User status"}}) {
      bool present = std::any_of(columns_.begin(), columns_.end(),
                                 [kind = kind](const Column& c) { return c.kind == kind; });
      if (!present) {
        return InvalidArgument(source_ + ": line " + std::to_string(header.line) +
                               ": missing column \"" + name +
                               "\"; export the users again from admin.atlassian.com");
      }
    }
    return Status::Ok();
  }

  Status CellError(const CsvRecord& record, size_t index, const std::string& detail) const {
    return InvalidArgument(source_ + ": line " + std::to_string(record.line) + ", column " +
                           std::to_string(index + 1) + " (\"" + Shorten(columns_[index].header) +
                           "\"): " + detail);
  }

  Result<Account> ReadAccount(const CsvRecord& record) {
    if (record.fields.size() != columns_.size()) {
      return InvalidArgument(source_ + ": line " + std::to_string(record.line) + ": " +
                             std::to_string(record.fields.size()) +
                             " fields, but the header "
                             "has " +
                             std::to_string(columns_.size()) +
                             "; quote values that contain commas");
    }
    Account account;
    for (size_t i = 0; i < columns_.size(); ++i) {
      AA_RETURN_IF_ERROR(ReadCell(record, i, account));
    }
    if (account.id.empty()) {
      return InvalidArgument(source_ + ": line " + std::to_string(record.line) +
                             ": empty \"User id\"; every row needs the account id");
    }
    return account;
  }

  Status ReadCell(const CsvRecord& record, size_t index, Account& account) {
    std::string_view value = Trim(record.fields[index]);
    const Column& column = columns_[index];
    switch (column.kind) {
      case ColumnKind::kId:
        account.id = std::string(value);
        return Status::Ok();
      case ColumnKind::kName:
        account.name = std::string(value);
        return Status::Ok();
      case ColumnKind::kEmail:
        account.email = std::string(value);
        return Status::Ok();
      case ColumnKind::kStatus:
        return ReadStatus(record, index, value, account);
      case ColumnKind::kAddedToOrg: {
        if (value.empty()) return Status::Ok();
        AA_ASSIGN_OR_RETURN(Day day, ReadDay(record, index, value));
        account.added_to_org = Timestamp(day);
        return Status::Ok();
      }
      case ColumnKind::kOrgRole:
        ReadOrgRole(record, value, account);
        return Status::Ok();
      case ColumnKind::kLastSeen:
        return ReadLastSeen(record, index, value, account);
      case ColumnKind::kUnknown:
        return Status::Ok();
    }
    return Status::Ok();
  }

  Status ReadStatus(const CsvRecord& record, size_t index, std::string_view value,
                    Account& account) const {
    std::string lower = Lower(value);
    if (lower == "active") {
      account.account_status = AccountStatus::kActive;
      account.membership_status = MembershipStatus::kActive;
    } else if (lower == "suspended") {
      account.account_status = AccountStatus::kActive;
      account.membership_status = MembershipStatus::kSuspended;
    } else if (lower == "deactivated") {
      account.account_status = AccountStatus::kInactive;
    } else {
      return CellError(record, index,
                       "invalid user status \"" + Shorten(value) +
                           "\"; expected Active, Suspended or Deactivated");
    }
    return Status::Ok();
  }

  Result<Day> ReadDay(const CsvRecord& record, size_t index, std::string_view value) const {
    auto day = ParseExportDay(value);
    if (day.ok()) return *day;
    auto iso = ParseIsoDay(value);
    if (iso.ok()) return *iso;
    return CellError(record, index,
                     "invalid date \"" + Shorten(value) + "\"; expected a date like 3 Jan 2024");
  }

  // Maps the role text; a role with no API counterpart is reported and not stored.
  void ReadOrgRole(const CsvRecord& record, std::string_view value, Account& account) {
    std::string lower = Lower(value);
    if (lower.empty() || lower == "user" || lower == "basic") return;
    if (lower == "organization admin" || lower == "org admin" || lower == "organisation admin") {
      account.platform_roles.emplace_back(kOrgAdminRole);
      return;
    }
    result_.warnings.push_back("line " + std::to_string(record.line) + ": unknown org role \"" +
                               Shorten(value) + "\" ignored");
  }

  Status ReadLastSeen(const CsvRecord& record, size_t index, std::string_view value,
                      Account& account) const {
    if (value.empty()) return Status::Ok();  // no access to this product
    const Column& column = columns_[index];
    ProductAccess access;
    access.key = column.product_key;
    access.site = column.site;
    if (Lower(value) != "never accessed") {
      AA_ASSIGN_OR_RETURN(Day day, ReadDay(record, index, value));
      access.last_active = Timestamp(day);
    }
    account.products.push_back(std::move(access));
    return Status::Ok();
  }

  std::string source_;
  std::vector<Column> columns_;
  UserExport result_;
};

}  // namespace

Result<UserExport> ParseUserExport(std::string_view text, std::string_view source_name) {
  return Importer(source_name).Run(text);
}

Result<UserExport> ReadUserExport(const std::string& path) {
  AA_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(path, "user export"));
  return ParseUserExport(content, path);
}

}  // namespace adminauto::importer
