// Test fixture: a SimServer on 127.0.0.1 with a FakeClock, and a curl client for it.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/test_client.h"
#include "sim/sim_server.h"

namespace adminauto::sim::testing {

// 2026-12-04T10:00:30Z, a Friday.
std::chrono::system_clock::time_point TestStart();

// Writes a state file with `count` managed, active accounts "acct-00000", ... and returns its
// path (under the test's temporary directory).
std::string WriteStateFile(int count, const std::string& name);

class SimTest : public ::testing::Test {
 protected:
  SimTest() : clock_(TestStart()) {}

  // Starts the simulator; options.clock is set to the fixture's clock.
  void Start(SimOptions options = {});

  http::ClientResponse Call(const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& key = "");
  http::ClientResponse Get(const std::string& path) { return Call("GET", path); }
  http::ClientResponse Post(const std::string& path, const std::string& body = "") {
    return Call("POST", path, body);
  }
  // Parses a JSON body; fails the test when it is not JSON.
  static boost::json::value Json(const http::ClientResponse& response);
  // The `code` of the first error in an {"errors": [...]} body.
  static std::string ErrorCode(const http::ClientResponse& response);

  std::string V1(const std::string& rest = "") const;  // /admin/v1/orgs/ORG + rest
  std::string V2(const std::string& rest = "") const;  // /admin/v2/orgs/ORG/directories/- + rest

  // Reads every page of v2 users search with `body` fields; returns the users.
  std::vector<boost::json::object> SearchAll(boost::json::object body, int* pages = nullptr);
  // Reads every page of v1 users; returns the users.
  std::vector<boost::json::object> V1UsersAll(int* pages = nullptr);

  FakeClock clock_;
  std::unique_ptr<SimServer> sim_;
  http::TestClient client_;
};

}  // namespace adminauto::sim::testing
