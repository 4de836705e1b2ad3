// `adminauto plan`: evaluates rule files over an org's latest synced snapshot or over a user
// export file, and prints the plan (table, JSON or CSV), writes it for apply, or compares it
// with an earlier plan file.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/time.h"
#include "engine/apply_session.h"
#include "importer/user_export.h"
#include "rules/evaluate.h"
#include "rules/fingerprint.h"
#include "rules/plan_format.h"
#include "rules/plan_io.h"
#include "rules/rule_file.h"
#include "store/data_dir.h"
#include "store/org_store.h"
#include "store/plan_store.h"
#include "store/snapshot_store.h"
#include "store/sqlite.h"

namespace adminauto::cli {
namespace {

struct PlanOptions {
  std::vector<std::string> rule_files;
  std::string org;
  std::string org_id;
  std::string export_file;
  std::string at;
  std::string format = "table";
  std::string out;
  std::string diff;
};

// A directory to plan on, with the fingerprint fields that describe where it came from.
struct PlanSource {
  Directory directory;
  std::string kind;  // "snapshot" or "export"
  std::string hash;
};

Result<PlanSource> LoadExport(const PlanOptions& options) {
  AA_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(options.export_file, "user export"));
  AA_ASSIGN_OR_RETURN(importer::UserExport exported,
                      importer::ParseUserExport(text, options.export_file));
  for (const auto& warning : exported.warnings) {
    std::cerr << "warning: " << options.export_file << ": " << warning << "\n";
  }
  PlanSource source;
  source.directory = std::move(exported.directory);
  source.directory.org_id = options.org_id;
  source.kind = "export";
  source.hash = rules::Sha256Hex(text);
  return source;
}

// Returns the org id to read snapshots for: --org-id when given, else the id that
// `adminauto org connect` recorded for NAME.
Result<std::string> ResolveOrgId(store::SqliteDb& db, const PlanOptions& options) {
  if (!options.org_id.empty()) return options.org_id;
  AA_ASSIGN_OR_RETURN(auto orgs, store::OrgStore::Open(db));
  auto org = orgs->Get(options.org);
  if (!org.ok()) {
    return org.status().WithContext("--org " + options.org +
                                    " (pass --org-id ID to plan on a snapshot of an org that "
                                    "is not connected)");
  }
  return org->org_id;
}

Result<PlanSource> LoadSnapshot(const GlobalOptions& global, const PlanOptions& options) {
  std::string path = store::DatabasePath(global.data_dir);
  if (!std::filesystem::exists(path)) {
    return NotFound("no database in " + global.data_dir + "; set it up with `adminauto init`, " +
                    "`adminauto org connect` and `adminauto sync " + options.org +
                    "`, or plan on an export with --export CSV");
  }
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(path));
  AA_ASSIGN_OR_RETURN(std::string org_id, ResolveOrgId(*db, options));
  AA_ASSIGN_OR_RETURN(auto snapshots, store::SnapshotStore::Open(*db));
  AA_ASSIGN_OR_RETURN(std::optional<Directory> latest, snapshots->LoadLatest(org_id));
  if (!latest) {
    return NotFound("org " + options.org + " (" + org_id + ") has no synced snapshot; run " +
                    "`adminauto sync " + options.org + "` first");
  }
  PlanSource source;
  source.directory = std::move(*latest);
  source.kind = "snapshot";
  source.hash = rules::DirectoryContentHash(source.directory);
  return source;
}

Result<Day> EvaluationDay(const PlanOptions& options) {
  if (options.at.empty()) return DayOf(ToTimestamp(SystemClock::Instance().Now()));
  auto day = ParseIsoDay(options.at);
  if (!day.ok()) return day.status().WithContext("--at");
  return *day;
}

Result<Plan> MakePlan(const GlobalOptions& global, const PlanOptions& options) {
  if (options.org.empty() == options.export_file.empty()) {
    return InvalidArgument("pass exactly one of --org NAME and --export CSV");
  }
  AA_ASSIGN_OR_RETURN(Day day, EvaluationDay(options));
  AA_ASSIGN_OR_RETURN(rules::RuleSet rule_set, rules::LoadRuleFiles(options.rule_files));
  AA_ASSIGN_OR_RETURN(PlanSource source, options.export_file.empty() ? LoadSnapshot(global, options)
                                                                     : LoadExport(options));
  Plan plan = rules::Evaluate(source.directory, rule_set.rules, day);
  plan.fingerprint.source = source.kind;
  plan.fingerprint.source_hash = source.hash;
  plan.fingerprint.rules_hash = rules::RulesContentHash(rule_set.file_contents);
  return plan;
}

void PrintNotes(const Plan& plan, const std::string& format) {
  if (format != "table") {
    for (const auto& warning : plan.warnings) std::cerr << "warning: " << warning << "\n";
  }
  for (const auto& limit : plan.limits) {
    if (limit.stopped) {
      std::cerr << "plan stopped by rule " << limit.rule << ": " << limit.reason
                << "; apply will reject it\n";
    }
  }
}

// Records the hash of a plan made from a snapshot in the data directory, so that `adminauto
// apply` can reject the file if it is edited. A plan from an export cannot be applied and is
// not recorded.
Status RecordPlan(const GlobalOptions& global, const Plan& plan) {
  if (plan.fingerprint.source != "snapshot") return Status::Ok();
  // Hashes the plan as apply will read it back from the file.
  AA_ASSIGN_OR_RETURN(Plan written, rules::PlanFromJson(rules::PlanToJson(plan)));
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(store::DatabasePath(global.data_dir)));
  AA_ASSIGN_OR_RETURN(auto plans, store::PlanStore::Open(*db));
  return plans->Record(rules::PlanHash(written), written.fingerprint.org_id,
                       ToTimestamp(SystemClock::Instance().Now()));
}

Status RunPlan(const GlobalOptions& global, const PlanOptions& options) {
  AA_ASSIGN_OR_RETURN(Plan plan, MakePlan(global, options));
  if (!options.diff.empty()) {
    AA_ASSIGN_OR_RETURN(Plan earlier, rules::ReadPlanFile(options.diff));
    rules::PlanDiff diff = rules::DiffPlans(earlier, plan);
    std::cout << (options.format == "json" ? rules::PlanDiffToJson(diff, earlier, plan)
                                           : rules::PlanDiffToTable(diff, earlier, plan));
    return Status::Ok();
  }
  if (!options.out.empty()) {
    AA_RETURN_IF_ERROR(RecordPlan(global, plan));
    AA_RETURN_IF_ERROR(rules::WritePlanFile(plan, options.out));
  }
  if (options.format == "json") {
    std::cout << rules::PlanToJson(plan);
  } else if (options.format == "csv") {
    std::cout << rules::PlanToCsv(plan);
  } else {
    std::cout << rules::PlanToTable(plan);
  }
  PrintNotes(plan, options.format);
  if (!options.out.empty()) std::cerr << "plan written to " << options.out << "\n";
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand(
      "plan", "Evaluate rules over an org's latest sync or a user export and show the plan");
  cmd->add_option("--rules", options->rule_files,
                  "Rule files (YAML) to evaluate, in order; give one or more")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--org", options->org, "Org whose latest synced snapshot is planned on");
  cmd->add_option("--org-id", options->org_id,
                  "Atlassian org id: read its snapshot instead of looking NAME up among "
                  "connected orgs, or record it in a plan made from --export");
  cmd->add_option("--export", options->export_file,
                  "User export CSV from admin.atlassian.com to plan on instead of a sync");
  cmd->add_option("--at", options->at,
                  "Evaluation day, YYYY-MM-DD as a UTC day (default: today in UTC)")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty()
                       ? std::string("the day is empty; write YYYY-MM-DD or leave --at out")
                       : std::string();
          },
          "DATE"));
  cmd->add_option("--format", options->format, "Output format: table, json or csv (default table)")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("--out", options->out,
                  "Also write the plan as JSON to this file, for `adminauto apply`");
  cmd->add_option("--diff", options->diff,
                  "Earlier plan file: show who newly qualifies and who dropped out since then "
                  "(table or json)");
  cmd->callback([&global, options] { Finish(RunPlan(global, *options)); });
});

}  // namespace
}  // namespace adminauto::cli
