// `adminauto audit verify | export`: checks the hash chain of the audit log, and writes it out
// as JSON lines.
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "core/clock.h"
#include "engine/apply_session.h"

namespace adminauto::cli {
namespace {

struct AuditExportOptions {
  std::string format = "jsonl";
  std::string out;
};

Status RunAuditVerify(const GlobalOptions& global) {
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::OpenExisting(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(audit::VerifyReport report, stores->audit->Verify());
  if (!report.ok()) {
    return DataLoss("audit log check failed at entry " + std::to_string(*report.first_bad) + ": " +
                    report.problem);
  }
  std::cout << "audit log intact: " << report.entries << " entries, head " << report.head_hash
            << "\n";
  return Status::Ok();
}

Status RunAuditExport(const GlobalOptions& global, const AuditExportOptions& options) {
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::OpenExisting(global.data_dir, SystemClock::Instance()));
  if (options.out.empty()) return stores->audit->ExportJsonLines(std::cout).status();
  std::ofstream file(options.out, std::ios::trunc);
  if (!file) return InvalidArgument("cannot write the export file " + options.out);
  AA_ASSIGN_OR_RETURN(int64_t count, stores->audit->ExportJsonLines(file));
  std::cerr << "wrote " << count << " audit entries to " << options.out << "\n";
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto* audit = app.add_subcommand("audit", "Check or export the hash-chained audit log");
  audit->require_subcommand(1);

  auto* verify = audit->add_subcommand(
      "verify",
      "Check every audit entry and its link to the one before; exits 1 naming the first "
      "edited, removed or reordered entry");
  verify->callback([&global] { Finish(RunAuditVerify(global)); });

  auto options = std::make_shared<AuditExportOptions>();
  auto* export_cmd = audit->add_subcommand("export", "Write every audit entry as JSON lines");
  export_cmd
      ->add_option("--format", options->format, "Output format: jsonl (one JSON object per line)")
      ->check(CLI::IsMember({"jsonl"}));
  export_cmd->add_option("--out", options->out, "File to write (default: standard output)");
  export_cmd->callback([&global, options] { Finish(RunAuditExport(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
