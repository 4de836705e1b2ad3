// `adminauto run RULE_NAME --org NAME`: evaluates one rule over the org's latest snapshot and
// applies the fresh plan, or shows it with --dry-run.
#include "cli/apply_options.h"
#include "core/time.h"
#include "engine/apply_plan.h"

namespace adminauto::cli {
namespace {

struct RunCommandOptions {
  std::string rule;
  std::string org;
  bool dry_run = false;
  std::vector<std::string> rule_files;
  std::string at;
  ChangeCommandOptions change;
};

Status RunRule(const GlobalOptions& global, const RunCommandOptions& options) {
  Day day = DayOf(ToTimestamp(SystemClock::Instance().Now()));
  if (!options.at.empty()) {
    auto parsed = ParseIsoDay(options.at);
    if (!parsed.ok()) return parsed.status().WithContext("--at " + options.at);
    day = *parsed;
  }
  std::vector<std::string> rule_files = options.rule_files;
  if (rule_files.empty()) rule_files.push_back(global.data_dir + "/rules.yaml");
  // The org id is --org-id when given, else the connected org's, else the --org name itself,
  // as `adminauto plan` finds it.
  ChangeCommandOptions change = options.change;
  if (change.org_id.empty()) {
    change.org_id = LookupConnectedOrgId(global, options.org).value_or(options.org);
  }

  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::Open(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(Plan plan, engine::MakeFreshPlan(*stores->snapshots, change.org_id,
                                                       rule_files, options.rule, day));
  AA_ASSIGN_OR_RETURN(engine::ApplyInput input,
                      engine::InputFromPlan(plan, options.org, "rule " + options.rule));
  if (options.dry_run && change.api_key_file.empty()) {
    // A dry run needs no API access: show the plan without connecting.
    std::cout << engine::FormatIntent(input);
    for (const auto& planned : input.changes) {
      std::cout << "  " << engine::ToString(planned.change.kind) << " " << planned.change.account_id
                << " <" << planned.email << ">  (" << planned.reason << ")\n";
    }
    std::cout << "dry run: nothing was changed\n";
    return Status::Ok();
  }
  AA_ASSIGN_OR_RETURN(auto session, ConnectForChange(global, change, options.org, change.org_id));
  engine::Applier applier(*stores->db, *stores->journal, *stores->audit, *session->client,
                          SystemClock::Instance(), engine::GuardsFor(*stores->snapshots),
                          MakeApplyOptions(global, change, *session));
  Status applied = engine::ConfirmAndApply(applier, *stores->journal, input,
                                           MakeInteraction(change, options.dry_run));
  return PauseIfKeyRejected(global, change, *session, applied);
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<RunCommandOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Plan one rule on the org's latest snapshot and apply the fresh plan");
  cmd->add_option("RULE_NAME", options->rule, "Name of the rule to run")->required();
  cmd->add_option("--org", options->org, "Org name")->required();
  cmd->add_flag("--dry-run", options->dry_run, "Show what would change and change nothing");
  cmd->add_option("--rules", options->rule_files,
                  "Rule file to read; repeat for several (default DATA_DIR/rules.yaml)");
  cmd->add_option("--at", options->at, "Evaluation day, YYYY-MM-DD in UTC (default today, UTC)");
  AddChangeOptions(cmd, options->change);
  cmd->callback([&global, options] { Finish(RunRule(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
