// `adminauto vault status | rotate-master-key | retire-master-key`: the state of the data
// directory's vault and master key rotation.
#include <boost/json.hpp>
#include <iostream>

#include "cli/command.h"
#include "vault/org_keys.h"

namespace adminauto::cli {
namespace {

namespace json = boost::json;

Status RunStatus(const GlobalOptions& global, const std::string& format) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  vault::SealStatus status = dir.vault->status();
  AA_ASSIGN_OR_RETURN(auto masters, dir.vault->keys().ListMasterKeys());
  if (format == "json") {
    json::array versions;
    for (const auto& row : masters) {
      versions.push_back({{"version", row.version},
                          {"state", std::string(store::ToString(row.state))},
                          {"encryptions", row.encryptions}});
    }
    json::object out{{"sealed", status.sealed},
                     {"provider", status.provider},
                     {"reason", status.reason},
                     {"active_master_version", status.active_master_version},
                     {"master_rotation_due", status.master_rotation_due},
                     {"master_keys", versions}};
    std::cout << json::serialize(out) << "\n";
    return Status::Ok();
  }
  std::cout << "vault:    " << (status.sealed ? "sealed" : "unsealed") << "\n"
            << "provider: " << (status.provider.empty() ? "none" : status.provider) << "\n";
  if (status.sealed) std::cout << "reason:   " << status.reason << "\n";
  for (const auto& row : masters) {
    std::cout << "master key v" << row.version << ": " << store::ToString(row.state) << ", "
              << row.encryptions << " data keys wrapped\n";
  }
  if (status.master_rotation_due) {
    std::cout << "The active master key is due for rotation: run `adminauto vault "
                 "rotate-master-key`.\n";
  }
  return Status::Ok();
}

// Adds and promotes a new master key version, re-wraps every data key under it and, unless
// `keep_old`, retires every older version.
Status RunRotateMaster(const GlobalOptions& global, bool keep_old) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(uint32_t version, dir.vault->AddMasterKeyVersion());
  AA_RETURN_IF_ERROR(dir.vault->PromoteMasterKey(version));
  AA_ASSIGN_OR_RETURN(int rewrapped, dir.vault->RewrapDataKeys());
  std::cout << "master key v" << version << " is active; re-wrapped " << rewrapped
            << " data keys\n";
  if (keep_old) return Status::Ok();
  AA_ASSIGN_OR_RETURN(auto masters, dir.vault->keys().ListMasterKeys());
  for (const auto& row : masters) {
    if (row.version == version || row.state == store::MasterKeyState::kRetired) continue;
    AA_RETURN_IF_ERROR(dir.vault->RetireMasterKey(row.version));
    std::cout << "retired master key v" << row.version << "\n";
  }
  return Status::Ok();
}

Status RunRetireMaster(const GlobalOptions& global, uint32_t version) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_RETURN_IF_ERROR(dir.vault->RetireMasterKey(version));
  std::cout << "retired master key v" << version << "\n";
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto* vault_cmd = app.add_subcommand("vault", "Show the vault's state and rotate master keys");
  vault_cmd->require_subcommand(1);

  auto format = std::make_shared<std::string>("text");
  auto* status = vault_cmd->add_subcommand(
      "status", "Show whether the vault is sealed and why, and the master key versions");
  status->add_option("--format", *format, "Output format: text or json (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  status->callback([format, &global] { Finish(RunStatus(global, *format)); });

  auto keep_old = std::make_shared<bool>(false);
  auto* rotate = vault_cmd->add_subcommand(
      "rotate-master-key",
      "Create a new master key version, re-wrap every data key with it and retire the old ones");
  rotate->add_flag("--keep-old", *keep_old,
                   "Keep the old master key versions on the provider (retire them later with "
                   "`vault retire-master-key VERSION`)");
  rotate->callback([keep_old, &global] { Finish(RunRotateMaster(global, *keep_old)); });

  auto version = std::make_shared<uint32_t>(0);
  auto* retire = vault_cmd->add_subcommand(
      "retire-master-key", "Destroy a master key version that no data key uses any more");
  retire->add_option("version", *version, "Master key version number")->required();
  retire->callback([version, &global] { Finish(RunRetireMaster(global, *version)); });
});

}  // namespace
}  // namespace adminauto::cli
