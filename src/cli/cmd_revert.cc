// `adminauto revert RUN_ID`: undoes a run's verified changes with their inverses, as a run of
// its own that is journaled and audited.
#include "cli/apply_options.h"
#include "engine/apply_plan.h"

namespace adminauto::cli {
namespace {

struct RevertCommandOptions {
  std::string run_id;
  std::optional<int64_t> action;
  ChangeCommandOptions change;
};

Status RunRevert(const GlobalOptions& global, const RevertCommandOptions& options) {
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::Open(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(std::optional<store::JournalRun> run,
                      stores->journal->GetRun(options.run_id));
  if (!run) {
    return NotFound("run " + options.run_id +
                    " is not in the journal; list runs with `adminauto runs list`");
  }
  AA_ASSIGN_OR_RETURN(auto session,
                      ConnectForChange(global, options.change, run->org, run->org_id));
  engine::Applier applier(*stores->db, *stores->journal, *stores->audit, *session->client,
                          SystemClock::Instance(), engine::GuardsFor(*stores->snapshots),
                          MakeApplyOptions(global, options.change, *session));
  AA_ASSIGN_OR_RETURN(engine::RevertPlan plan, applier.PlanRevert(options.run_id, options.action));
  for (const std::string& line : plan.not_revertible) {
    std::cout << "cannot be undone: " << line << "\n";
  }
  Status applied = engine::ConfirmAndApply(applier, *stores->journal, plan.input,
                                           MakeInteraction(options.change, false));
  return PauseIfKeyRejected(global, options.change, *session, applied);
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<RevertCommandOptions>();
  auto* cmd = app.add_subcommand(
      "revert",
      "Undo a run's verified changes with their inverses (restore for suspend, memberships and "
      "roles put back); removals from the directory cannot be undone and are listed");
  cmd->add_option("RUN_ID", options->run_id, "Run id, as printed by apply or runs list")
      ->required();
  cmd->add_option("--action", options->action,
                  "Undo only this action of the run, by the index `adminauto runs show` prints; "
                  "a later revert of the whole run skips what is already undone");
  AddChangeOptions(cmd, options->change);
  cmd->callback([&global, options] { Finish(RunRevert(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
