#include "sim/sim_server.h"

#include <fstream>
#include <sstream>

#include "core/log.h"
#include "http/server.h"
#include "importer/user_export.h"
#include "sim/sim_service.h"

namespace adminauto::sim {
namespace {

Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return NotFound("cannot open " + std::string(what) + " \"" + path + "\"; check the path");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Builds the primary org from the one seed the options name.
Result<Org> SeedOrg(const SimOptions& options, Timestamp now) {
  int sources = (!options.export_csv.empty() ? 1 : 0) + (options.users >= 0 ? 1 : 0) +
                (!options.state_file.empty() ? 1 : 0);
  if (sources > 1) {
    return InvalidArgument("choose one seed: an export CSV, generated users or a state file");
  }
  if (!options.state_file.empty()) {
    AA_ASSIGN_OR_RETURN(std::string text, ReadFile(options.state_file, "state file"));
    AA_ASSIGN_OR_RETURN(Org org, StateFromJson(text, options.state_file));
    if (org.id.empty()) org.id = options.org_id;
    if (org.name.empty()) org.name = options.org_name;
    if (org.domains.empty()) {
      org.domains.push_back(
          {StableUuid("domain:" + options.domain), options.domain, "dns", "verified"});
    }
    return org;
  }
  Directory directory;
  if (!options.export_csv.empty()) {
    AA_ASSIGN_OR_RETURN(importer::UserExport exported,
                        importer::ReadUserExport(options.export_csv));
    for (const auto& warning : exported.warnings) {
      GetLogger("sim")->warn("export {}: {}", options.export_csv, warning);
    }
    directory = std::move(exported.directory);
  } else if (options.users >= 0) {
    directory = GenerateDirectory(options.users, options.seed, now, options.domain);
  }
  return MakeOrg(options.org_id, options.org_name, options.domain, std::move(directory));
}

}  // namespace

struct SimServer::Impl {
  std::unique_ptr<SimService> service;
  http::Router router;
  std::unique_ptr<http::Server> server;
};

SimServer::SimServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SimServer::~SimServer() { Stop(); }

Result<std::unique_ptr<SimServer>> SimServer::Start(SimOptions options) {
  Clock* clock = options.clock != nullptr ? options.clock : &SystemClock::Instance();
  AA_ASSIGN_OR_RETURN(Org org, SeedOrg(options, ToTimestamp(clock->Now())));
  auto impl = std::make_unique<Impl>();
  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.server_header = "adminauto-sim";
  if (options.log_requests) {
    auto logger = GetLogger("sim");
    // The log line carries method, path, status and latency only: never headers, so never the
    // API key.
    server_options.on_response = [logger](const http::Request& req, const http::Response& res,
                                          std::chrono::microseconds latency) {
      logger->info("request method={} path={} status={} latency_ms={:.3f}", req.method, req.path,
                   res.status, static_cast<double>(latency.count()) / 1000.0);
    };
  }
  impl->service = std::make_unique<SimService>(std::move(options), std::move(org));
  impl->service->AddRoutes(impl->router);
  const http::Router* router = &impl->router;
  impl->server = std::make_unique<http::Server>(server_options, [router](const http::Request& r) {
    http::Request request = r;
    return router->Dispatch(request);
  });
  AA_RETURN_IF_ERROR(impl->server->Start());
  impl->service->set_base_url(impl->server->base_url());
  GetLogger("sim")->info("started url={} org_id={} accounts={}", impl->server->base_url(),
                         impl->service->org_id(), impl->service->Snapshot().accounts.size());
  return std::unique_ptr<SimServer>(new SimServer(std::move(impl)));
}

std::string SimServer::base_url() const { return impl_->server->base_url(); }
uint16_t SimServer::port() const { return impl_->server->port(); }
const std::string& SimServer::org_id() const { return impl_->service->org_id(); }
const std::string& SimServer::api_key() const { return impl_->service->options().api_key; }
const std::string& SimServer::directory_id() const { return impl_->service->directory_id(); }
void SimServer::SetFaults(Faults faults) { impl_->service->SetFaults(std::move(faults)); }
Faults SimServer::faults() const { return impl_->service->faults(); }
std::vector<Mutation> SimServer::Mutations() const { return impl_->service->Mutations(); }
void SimServer::ClearMutations() { impl_->service->ClearMutations(); }

void SimServer::AddApiKey(const std::string& key, const std::string& org_id,
                          std::optional<Timestamp> expires_at, bool scoped) {
  impl_->service->AddApiKey(key, org_id, expires_at, scoped);
}

Directory SimServer::Snapshot() const { return impl_->service->Snapshot(); }

Status SimServer::SaveState(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Unavailable("cannot write state file \"" + path + "\"");
  out << impl_->service->StateJson();
  out.close();
  if (!out) return Unavailable("failed to write state file \"" + path + "\"");
  return Status::Ok();
}

void SimServer::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

}  // namespace adminauto::sim
