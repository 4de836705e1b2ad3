// `adminauto apply PLAN_FILE`: applies a plan file to its org, or resumes the run of the same
// plan after a crash or a failure.
#include "cli/apply_options.h"
#include "engine/apply_plan.h"
#include "rules/plan_io.h"
#include "store/plan_store.h"

namespace adminauto::cli {
namespace {

struct ApplyCommandOptions {
  std::string plan_file;
  std::string org;
  ChangeCommandOptions change;
};

// Rejects a snapshot plan whose hash `adminauto plan --out` did not record in this data
// directory, because the fingerprint covers only the plan's inputs and not its actions. The
// apply engine rejects a plan from an export with its own message.
Status CheckPlanRecorded(store::SqliteDb& db, const Plan& plan, const std::string& plan_file) {
  if (plan.fingerprint.source != "snapshot") return Status::Ok();
  AA_ASSIGN_OR_RETURN(auto plans, store::PlanStore::Open(db));
  AA_ASSIGN_OR_RETURN(bool recorded,
                      plans->Contains(rules::PlanHash(plan), plan.fingerprint.org_id));
  if (recorded) return Status::Ok();
  return FailedPrecondition("plan " + plan_file +
                            " was changed after `adminauto plan` wrote it, or was written with "
                            "another data directory; nothing was changed. Make the plan again "
                            "with `adminauto plan --org NAME --out FILE` and apply that file");
}

Status RunApply(const GlobalOptions& global, const ApplyCommandOptions& options) {
  AA_ASSIGN_OR_RETURN(Plan plan, rules::ReadPlanFile(options.plan_file));
  if (plan.fingerprint.org_id.empty() && options.change.org_id.empty()) {
    return InvalidArgument("plan " + options.plan_file +
                           " was made from an export file and names no org; a plan to apply "
                           "must come from `adminauto plan --org NAME`");
  }
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::Open(global.data_dir, SystemClock::Instance()));
  AA_RETURN_IF_ERROR(CheckPlanRecorded(*stores->db, plan, options.plan_file));
  AA_ASSIGN_OR_RETURN(
      auto session, ConnectForChange(global, options.change, options.org, plan.fingerprint.org_id));
  AA_ASSIGN_OR_RETURN(engine::ApplyInput input,
                      engine::InputFromPlan(plan, session->name, options.plan_file));
  engine::Applier applier(*stores->db, *stores->journal, *stores->audit, *session->client,
                          SystemClock::Instance(), engine::GuardsFor(*stores->snapshots),
                          MakeApplyOptions(global, options.change, *session));
  Status applied = engine::ConfirmAndApply(applier, *stores->journal, input,
                                           MakeInteraction(options.change, false));
  return PauseIfKeyRejected(global, options.change, *session, applied);
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<ApplyCommandOptions>();
  auto* cmd = app.add_subcommand(
      "apply",
      "Apply a plan file to its org: each change is journaled and audited before it is sent "
      "and read back after; running it again resumes the same run without repeating changes");
  cmd->add_option("PLAN_FILE", options->plan_file, "Plan file written by `adminauto plan --out`")
      ->required();
  cmd->add_option("--org", options->org,
                  "Name of the connected org (default: the connected org with the plan's org "
                  "id); with --api-key-file, the name recorded in the journal and audit log");
  AddChangeOptions(cmd, options->change);
  cmd->callback([&global, options] { Finish(RunApply(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
