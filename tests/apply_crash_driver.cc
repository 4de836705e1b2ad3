// A small process for the crash test: applies one suspend per account given on the command
// line to the org at BASE_URL, with the journal and audit log in DATA_DIR. The test kills it
// with SIGKILL at random points and runs it again to resume.
//
// Usage: apply_crash_driver DATA_DIR BASE_URL ORG_ID API_KEY_FILE ACCOUNT_ID...
// Exits 0 when every change is verified, 1 otherwise.
#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "engine/apply.h"
#include "engine/apply_session.h"

int main(int argc, char** argv) {
  using namespace adminauto;
  if (argc < 6) {
    std::cerr << "usage: apply_crash_driver DATA_DIR BASE_URL ORG_ID API_KEY_FILE ACCOUNT_ID...\n";
    return 2;
  }
  std::string data_dir = argv[1];
  Clock& clock = SystemClock::Instance();
  auto stores = engine::ApplyStores::Open(data_dir, clock);
  if (!stores.ok()) {
    std::cerr << stores.status().ToString() << "\n";
    return 1;
  }
  auto session = engine::ConnectWithKeyFile("acme", argv[3], argv[2], argv[4], clock);
  if (!session.ok()) {
    std::cerr << session.status().ToString() << "\n";
    return 1;
  }

  engine::ApplyInput input;
  input.org = "acme";
  input.org_id = argv[3];
  input.plan_key = "plan:crash-test";
  input.source = "crash test";
  input.snapshot_hash = "unchecked";
  for (int i = 5; i < argc; ++i) {
    engine::PlannedChange planned;
    planned.change = {engine::ChangeKind::kSuspend, argv[i], ""};
    planned.rule = "licence-cleanup";
    planned.reason = "inactive";
    input.changes.push_back(planned);
  }
  engine::ApplyOptions options;
  options.actor = "crash-test";
  options.poll.first = std::chrono::milliseconds(20);
  options.poll.window = std::chrono::milliseconds(300);
  options.lock_dir = data_dir + "/locks";
  engine::Applier applier(*(*stores)->db, *(*stores)->journal, *(*stores)->audit,
                          *(*session)->client, clock, engine::SyncGuards{}, options);
  auto summary = applier.Apply(input);
  if (!summary.ok()) {
    std::cerr << summary.status().ToString() << "\n";
    return 1;
  }
  bool all_verified = summary->counts.verified == summary->counts.total();
  return all_verified ? 0 : 1;
}
