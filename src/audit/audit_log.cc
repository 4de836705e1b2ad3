#include "audit/audit_log.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "core/time.h"

namespace adminauto::audit {
namespace {

constexpr std::string_view kCanonicalVersion = "adminauto-audit-v1\n";
const std::string kZeroHash(64, '0');

// Version 1 creates the entry table and a one-row head table. The head records the last
// sequence number and hash, so removing entries from the end of the chain is detected too.
const std::vector<std::string_view> kMigrations = {
    R"sql(
CREATE TABLE audit_entries (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  org TEXT NOT NULL,
  account TEXT NOT NULL,
  reason TEXT NOT NULL,
  result TEXT NOT NULL,
  run_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entries_run ON audit_entries(run_id);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head(id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)sql"};

constexpr std::string_view kSelectColumns =
    "SELECT seq, time, actor, action, org, account, reason, result, run_id, prev_hash, hash "
    "FROM audit_entries ";

void AppendField(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::string FormatMillis(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  std::string text = FormatIsoTimestamp(seconds);  // "...:SSZ"
  char fraction[24];
  std::snprintf(fraction, sizeof(fraction), ".%03lld",
                static_cast<long long>((ms - seconds).count()));
  text.insert(text.size() - 1, fraction);
  return text;
}

AuditEntry ReadEntry(const store::Statement& stmt) {
  AuditEntry entry;
  entry.seq = stmt.Int(0);
  entry.time = stmt.Text(1);
  entry.record.actor = stmt.Text(2);
  entry.record.action = stmt.Text(3);
  entry.record.org = stmt.Text(4);
  entry.record.account = stmt.Text(5);
  entry.record.reason = stmt.Text(6);
  entry.record.result = stmt.Text(7);
  entry.record.run_id = stmt.Text(8);
  entry.prev_hash = stmt.Text(9);
  entry.hash = stmt.Text(10);
  return entry;
}

AuditRecord Redacted(const AuditRecord& record) {
  return {RedactSecrets(record.actor),   RedactSecrets(record.action), RedactSecrets(record.org),
          RedactSecrets(record.account), RedactSecrets(record.reason), RedactSecrets(record.result),
          RedactSecrets(record.run_id)};
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '=' ||
         c == '.' || c == '+' || c == '/';
}

bool StartsWithAt(std::string_view text, size_t pos, std::string_view prefix, bool fold_case) {
  if (text.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = text[pos + i];
    char b = prefix[i];
    if (fold_case) {
      a = static_cast<char>(std::tolower(static_cast<unsigned char>(a)));
      b = static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
    }
    if (a != b) return false;
  }
  return true;
}

// Returns the length of the credential that starts at `pos`, or 0 when none does.
size_t CredentialLength(std::string_view text, size_t pos) {
  // Atlassian org API keys start "ATCTT", user API tokens "ATATT"; both are long runs of
  // token characters. "Bearer " or "Basic " is followed by the credential itself.
  for (std::string_view prefix : {"ATCTT", "ATATT"}) {
    if (StartsWithAt(text, pos, prefix, false)) {
      size_t end = pos + prefix.size();
      while (end < text.size() && IsTokenChar(text[end])) ++end;
      return end - pos;
    }
  }
  for (std::string_view scheme : {"bearer ", "basic "}) {
    if (StartsWithAt(text, pos, scheme, true)) {
      size_t end = pos + scheme.size();
      size_t token_start = end;
      while (end < text.size() && IsTokenChar(text[end])) ++end;
      if (end > token_start) return end - pos;
    }
  }
  return 0;
}

}  // namespace

std::string CanonicalBytes(const AuditEntry& entry) {
  std::string out(kCanonicalVersion);
  AppendField(out, std::to_string(entry.seq));
  AppendField(out, entry.time);
  AppendField(out, entry.record.actor);
  AppendField(out, entry.record.action);
  AppendField(out, entry.record.org);
  AppendField(out, entry.record.account);
  AppendField(out, entry.record.reason);
  AppendField(out, entry.record.result);
  AppendField(out, entry.record.run_id);
  AppendField(out, entry.prev_hash);
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // On a digest failure the empty result matches no stored hash, so Verify() reports it.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return std::string();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string RedactSecrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    bool at_word_start = pos == 0 || !IsTokenChar(text[pos - 1]);
    size_t length = at_word_start ? CredentialLength(text, pos) : 0;
    if (length > 0) {
      out += "[redacted]";
      pos += length;
    } else {
      out += text[pos++];
    }
  }
  return out;
}

std::string EntryToJson(const AuditEntry& entry) {
  boost::json::object object;
  object["seq"] = entry.seq;
  object["time"] = entry.time;
  object["actor"] = entry.record.actor;
  object["action"] = entry.record.action;
  object["org"] = entry.record.org;
  object["account"] = entry.record.account;
  object["reason"] = entry.record.reason;
  object["result"] = entry.record.result;
  object["run_id"] = entry.record.run_id;
  object["prev_hash"] = entry.prev_hash;
  object["hash"] = entry.hash;
  return boost::json::serialize(object);
}

Result<AuditLog> AuditLog::Open(store::SqliteDb& db, Clock& clock) {
  AA_RETURN_IF_ERROR(db.Migrate("audit", kMigrations));
  return AuditLog(db, clock);
}

Result<AuditEntry> AuditLog::Append(const AuditRecord& record) {
  if (sqlite3_get_autocommit(db_->handle()) == 0) return AppendLocked(record);
  store::Transaction tx(*db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_ASSIGN_OR_RETURN(AuditEntry entry, AppendLocked(record));
  AA_RETURN_IF_ERROR(tx.Commit());
  return entry;
}

Result<AuditEntry> AuditLog::AppendLocked(const AuditRecord& record) {
  // The head is read inside the write transaction, so two processes never chain onto the
  // same previous entry.
  AA_ASSIGN_OR_RETURN(store::Statement head, db_->Prepare("SELECT seq, hash FROM audit_head"));
  AA_ASSIGN_OR_RETURN(bool has_head, head.Step());
  if (!has_head) return DataLoss("audit log head row is missing; run `adminauto audit verify`");

  AuditEntry entry;
  entry.seq = head.Int(0) + 1;
  entry.prev_hash = head.Text(1);
  entry.time = FormatMillis(clock_->Now());
  entry.record = Redacted(record);
  entry.hash = Sha256Hex(CanonicalBytes(entry));

  AA_ASSIGN_OR_RETURN(
      store::Statement insert,
      db_->Prepare("INSERT INTO audit_entries(seq, time, actor, action, org, account, reason, "
                   "result, run_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  insert.Bind(1, entry.seq)
      .Bind(2, std::string_view(entry.time))
      .Bind(3, std::string_view(entry.record.actor))
      .Bind(4, std::string_view(entry.record.action))
      .Bind(5, std::string_view(entry.record.org))
      .Bind(6, std::string_view(entry.record.account))
      .Bind(7, std::string_view(entry.record.reason))
      .Bind(8, std::string_view(entry.record.result))
      .Bind(9, std::string_view(entry.record.run_id))
      .Bind(10, std::string_view(entry.prev_hash))
      .Bind(11, std::string_view(entry.hash));
  AA_RETURN_IF_ERROR(insert.Run());
  AA_ASSIGN_OR_RETURN(store::Statement update,
                      db_->Prepare("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"));
  update.Bind(1, entry.seq).Bind(2, std::string_view(entry.hash));
  AA_RETURN_IF_ERROR(update.Run());
  return entry;
}

Result<VerifyReport> AuditLog::Verify() {
  // One read transaction gives the chain and the head from the same snapshot, so an append by
  // another process during the check is not mistaken for tampering.
  bool own_transaction = sqlite3_get_autocommit(db_->handle()) != 0;
  if (own_transaction) AA_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Result<VerifyReport> report = VerifyChain();
  if (own_transaction) (void)db_->Exec("COMMIT");
  return report;
}

Result<VerifyReport> AuditLog::VerifyChain() {
  VerifyReport report;
  report.head_hash = kZeroHash;
  auto fail = [&report](int64_t seq, std::string problem) {
    report.first_bad = seq;
    report.problem = std::move(problem);
    return report;
  };

  AA_ASSIGN_OR_RETURN(store::Statement stmt,
                      db_->Prepare(std::string(kSelectColumns) + "ORDER BY seq"));
  int64_t expected_seq = 1;
  std::string prev_hash = kZeroHash;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    AuditEntry entry = ReadEntry(stmt);
    ++report.entries;
    if (entry.seq != expected_seq) {
      return fail(expected_seq, "entry " + std::to_string(expected_seq) +
                                    " is missing: the next stored entry is " +
                                    std::to_string(entry.seq));
    }
    if (Sha256Hex(CanonicalBytes(entry)) != entry.hash) {
      return fail(entry.seq, "entry " + std::to_string(entry.seq) +
                                 " was edited: its content does not match its hash");
    }
    if (entry.prev_hash != prev_hash) {
      return fail(entry.seq, "entry " + std::to_string(entry.seq) + " does not follow entry " +
                                 std::to_string(entry.seq - 1) +
                                 ": the previous hash it stores differs (an entry was "
                                 "reordered, replaced or rewritten)");
    }
    prev_hash = entry.hash;
    report.head_hash = entry.hash;
    ++expected_seq;
  }

  AA_ASSIGN_OR_RETURN(store::Statement head, db_->Prepare("SELECT seq, hash FROM audit_head"));
  AA_ASSIGN_OR_RETURN(bool has_head, head.Step());
  if (!has_head) return fail(expected_seq, "the head row that records the last entry is missing");
  int64_t head_seq = head.Int(0);
  if (head_seq != expected_seq - 1) {
    return fail(expected_seq, "the log ends at entry " + std::to_string(expected_seq - 1) +
                                  " but " + std::to_string(head_seq) +
                                  " entries were written: the last entries were removed");
  }
  if (head.Text(1) != prev_hash) {
    return fail(head_seq, "entry " + std::to_string(head_seq) +
                              " differs from the last entry that was written");
  }
  return report;
}

Result<std::vector<AuditEntry>> AuditLog::Read(int64_t after_seq, int64_t limit) {
  AA_ASSIGN_OR_RETURN(store::Statement stmt, db_->Prepare(std::string(kSelectColumns) +
                                                          "WHERE seq > ? ORDER BY seq LIMIT ?"));
  stmt.Bind(1, after_seq).Bind(2, limit);
  std::vector<AuditEntry> entries;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    entries.push_back(ReadEntry(stmt));
  }
  return entries;
}

Result<std::vector<AuditEntry>> AuditLog::ReadRun(const std::string& run_id) {
  AA_ASSIGN_OR_RETURN(store::Statement stmt,
                      db_->Prepare(std::string(kSelectColumns) + "WHERE run_id = ? ORDER BY seq"));
  stmt.Bind(1, std::string_view(run_id));
  std::vector<AuditEntry> entries;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    entries.push_back(ReadEntry(stmt));
  }
  return entries;
}

Result<int64_t> AuditLog::ExportJsonLines(std::ostream& out) {
  AA_ASSIGN_OR_RETURN(store::Statement stmt,
                      db_->Prepare(std::string(kSelectColumns) + "ORDER BY seq"));
  int64_t count = 0;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    out << EntryToJson(ReadEntry(stmt)) << '\n';
    ++count;
  }
  out.flush();
  if (!out) return Internal("cannot write the audit export: the output stream failed");
  return count;
}

}  // namespace adminauto::audit
