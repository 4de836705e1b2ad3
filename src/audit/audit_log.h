// The audit log: an append-only, hash-chained record of every change adminauto makes to an
// org, kept in SQLite (WAL, synchronous=FULL). Each entry stores the SHA-256 of the previous
// entry's canonical bytes and the SHA-256 of its own, so Verify() finds an entry that was
// edited, removed or reordered after it was written. The on-disk format and the canonical
// encoding are described in docs/audit-log.md.
//
// Entries never carry a secret: every field is structured (ids, action names, rule names,
// result codes), and text that looks like an API key or a bearer token is redacted before it
// is hashed and stored.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/sqlite.h"

namespace adminauto::audit {

// The caller's fields of one entry. Every field is plain text, and none may hold a secret.
struct AuditRecord {
  std::string actor;    // who: "cli:alice", "scheduler", "server:user@example.com"
  std::string action;   // what: "suspend", "restore", "run.start", "revert.start", ...
  std::string org;      // org name or id the change targets; empty for non-org entries
  std::string account;  // account id the change targets; empty for run-level entries
  std::string reason;   // why: rule name and the condition that selected the account
  std::string result;   // "intent", "verified", "failed: <error code>", "skipped: ...", ...
  std::string run_id;   // the journal run this entry belongs to; empty when none
};

// One stored entry: the record plus its place in the chain.
struct AuditEntry {
  int64_t seq = 0;   // 1, 2, 3, ... without gaps
  std::string time;  // UTC, "2026-12-04T13:50:12.123Z"
  AuditRecord record;
  std::string prev_hash;  // hex SHA-256 of the previous entry's canonical bytes; 64 zeros for seq 1
  std::string hash;       // hex SHA-256 of this entry's canonical bytes
};

// The outcome of Verify().
struct VerifyReport {
  int64_t entries = 0;               // entries read
  std::optional<int64_t> first_bad;  // sequence number of the first bad entry, if any
  std::string problem;               // what is wrong with it; empty when the chain is intact
  std::string head_hash;             // hash of the last good entry; 64 zeros when empty
  bool ok() const { return !first_bad.has_value(); }
};

// Returns the canonical bytes of `entry` that its hash covers: a version line, then seq, time,
// every record field and prev_hash, each as "<decimal byte length>:<bytes>\n".
std::string CanonicalBytes(const AuditEntry& entry);

// Returns the lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Replaces text that looks like a credential (Atlassian API keys and tokens, bearer
// credentials) with "[redacted]".
std::string RedactSecrets(std::string_view text);

// Formats `entry` as one JSON object on one line, without a trailing newline.
std::string EntryToJson(const AuditEntry& entry);

// Appends to and verifies the audit log in a database it does not own. Not thread-safe: use
// one AuditLog per connection. Several processes may append to one file at once; each append
// is a serialised IMMEDIATE transaction.
class AuditLog {
 public:
  // Creates the audit tables in `db` if needed. `db` and `clock` must outlive the log.
  static Result<AuditLog> Open(store::SqliteDb& db, Clock& clock);

  // Appends one entry durably and returns it. When the connection already has a transaction
  // open, the entry joins it, so a journal update and its audit entry commit together.
  // Otherwise the append commits its own transaction before returning.
  Result<AuditEntry> Append(const AuditRecord& record);

  // Reads the whole chain in order and checks sequence numbers, each entry's hash, each link
  // to the previous entry and the stored head. Returns the first problem found; an I/O error
  // is returned as an error status, never as a bad entry.
  Result<VerifyReport> Verify();

  // Returns the entries with seq > `after_seq`, in order, at most `limit` of them.
  Result<std::vector<AuditEntry>> Read(int64_t after_seq = 0, int64_t limit = INT64_MAX);

  // Returns the entries that belong to run `run_id`, in order.
  Result<std::vector<AuditEntry>> ReadRun(const std::string& run_id);

  // Writes every entry as JSON lines to `out`. Returns the number of entries written.
  Result<int64_t> ExportJsonLines(std::ostream& out);

 private:
  AuditLog(store::SqliteDb& db, Clock& clock) : db_(&db), clock_(&clock) {}
  Result<AuditEntry> AppendLocked(const AuditRecord& record);
  Result<VerifyReport> VerifyChain();

  store::SqliteDb* db_;
  Clock* clock_;
};

}  // namespace adminauto::audit
