// `adminauto runs list | show RUN_ID`: the journal of apply and revert runs.
#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "cli/command.h"
#include "core/clock.h"
#include "engine/apply_session.h"

namespace adminauto::cli {
namespace {

namespace json = boost::json;

struct RunsOptions {
  std::string format = "table";
  int64_t limit = 50;
  std::string run_id;
};

json::object CountsJson(const store::RunCounts& counts) {
  return {{"total", counts.total()},   {"verified", counts.verified}, {"failed", counts.failed},
          {"skipped", counts.skipped}, {"planned", counts.planned},   {"sent", counts.sent}};
}

json::object RunJson(const store::JournalRun& run, const store::RunCounts& counts) {
  return {{"id", run.id},
          {"kind", std::string(store::ToString(run.kind))},
          {"org", run.org},
          {"org_id", run.org_id},
          {"state", std::string(store::ToString(run.state))},
          {"source", run.source},
          {"reverts_run", run.reverts_run},
          {"actor", run.actor},
          {"started_at", run.started_at},
          {"finished_at", run.finished_at},
          {"fingerprint", run.plan_fingerprint},
          {"counts", CountsJson(counts)}};
}

json::object ActionJson(const store::JournalAction& action) {
  json::object object{{"index", action.index},
                      {"account_id", action.account_id},
                      {"email", action.email},
                      {"action", action.kind},
                      {"target", action.target},
                      {"rule", action.rule},
                      {"reason", action.reason},
                      {"irreversible", action.irreversible},
                      {"state", std::string(store::ToString(action.state))},
                      {"attempts", action.attempts},
                      {"detail", action.detail},
                      {"updated_at", action.updated_at}};
  if (action.reverts_index) object["reverts_index"] = *action.reverts_index;
  return object;
}

Status RunRunsList(const GlobalOptions& global, const RunsOptions& options) {
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::OpenExisting(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(std::vector<store::JournalRun> runs,
                      stores->journal->ListRuns(options.limit));
  json::array array;
  if (options.format == "table") {
    std::cout << std::left << std::setw(27) << "RUN" << std::setw(8) << "KIND" << std::setw(16)
              << "ORG" << std::setw(10) << "STATE" << std::setw(22) << "STARTED"
              << "DONE/FAILED/SKIPPED/TOTAL\n";
  }
  for (const store::JournalRun& run : runs) {
    AA_ASSIGN_OR_RETURN(store::RunCounts counts, stores->journal->Counts(run.id));
    if (options.format == "json") {
      array.push_back(RunJson(run, counts));
      continue;
    }
    std::cout << std::left << std::setw(27) << run.id << std::setw(8) << store::ToString(run.kind)
              << std::setw(16) << run.org << std::setw(10) << store::ToString(run.state)
              << std::setw(22) << run.started_at << counts.verified << "/" << counts.failed << "/"
              << counts.skipped << "/" << counts.total() << "\n";
  }
  if (options.format == "json") std::cout << json::serialize(array) << "\n";
  return Status::Ok();
}

Status RunRunsShow(const GlobalOptions& global, const RunsOptions& options) {
  AA_ASSIGN_OR_RETURN(auto stores,
                      engine::ApplyStores::OpenExisting(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(std::optional<store::JournalRun> run,
                      stores->journal->GetRun(options.run_id));
  if (!run) {
    return NotFound("run " + options.run_id +
                    " is not in the journal; list runs with `adminauto runs list`");
  }
  AA_ASSIGN_OR_RETURN(store::RunCounts counts, stores->journal->Counts(run->id));
  AA_ASSIGN_OR_RETURN(std::vector<store::JournalAction> actions, stores->journal->Actions(run->id));
  AA_ASSIGN_OR_RETURN(std::vector<audit::AuditEntry> trail, stores->audit->ReadRun(run->id));

  if (options.format == "json") {
    json::object object = RunJson(*run, counts);
    json::array action_array;
    for (const auto& action : actions) action_array.push_back(ActionJson(action));
    object["actions"] = std::move(action_array);
    json::array audit_array;
    for (const auto& entry : trail) audit_array.push_back(json::parse(audit::EntryToJson(entry)));
    object["audit"] = std::move(audit_array);
    std::cout << json::serialize(object) << "\n";
    return Status::Ok();
  }

  std::cout << store::ToString(run->kind) << " run " << run->id << " on org " << run->org << " ("
            << run->org_id << ")\n"
            << "  state " << store::ToString(run->state) << ", started " << run->started_at
            << (run->finished_at.empty() ? "" : ", finished " + run->finished_at) << " by "
            << run->actor << "\n"
            << "  source " << run->source
            << (run->reverts_run.empty() ? "" : ", reverts " + run->reverts_run) << "\n"
            << "  " << counts.verified << " done, " << counts.failed << " failed, "
            << counts.skipped << " skipped of " << counts.total() << "\n\n";
  for (const auto& action : actions) {
    std::cout << "  " << std::setw(4) << std::right << action.index << "  " << std::left
              << std::setw(18) << action.kind << std::setw(44) << action.account_id << std::setw(9)
              << store::ToString(action.state) << action.email
              << (action.detail.empty() ? "" : "  (" + action.detail + ")") << "\n";
  }
  std::cout << "\n  audit trail: " << trail.size() << " entries";
  if (!trail.empty()) std::cout << ", " << trail.front().seq << " to " << trail.back().seq;
  std::cout << "\n";
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto* runs = app.add_subcommand("runs", "List apply and revert runs, or show one");
  runs->require_subcommand(1);
  auto options = std::make_shared<RunsOptions>();

  auto* list = runs->add_subcommand("list", "List runs, newest first");
  list->add_option("--format", options->format, "Output format: table or json (a JSON array)")
      ->check(CLI::IsMember({"table", "json"}));
  list->add_option("--limit", options->limit, "Maximum number of runs to list (default 50)");
  list->callback([&global, options] { Finish(RunRunsList(global, *options)); });

  auto* show = runs->add_subcommand("show", "Show a run's actions, their states and audit trail");
  show->add_option("RUN_ID", options->run_id, "Run id, as printed by apply or runs list")
      ->required();
  show->add_option("--format", options->format, "Output format: table or json (one object)")
      ->check(CLI::IsMember({"table", "json"}));
  show->callback([&global, options] { Finish(RunRunsShow(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
