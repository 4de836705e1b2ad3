// The layout of a data directory that every command shares.
#pragma once

#include <filesystem>
#include <string>

namespace adminauto::store {

// Returns the path of the SQLite database in `data_dir`, which contains every store: orgs, keys,
// snapshots, plans, the journal and the audit log.
inline std::string DatabasePath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "adminauto.db").string();
}

}  // namespace adminauto::store
