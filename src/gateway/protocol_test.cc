#include "gateway/protocol.h"

#include <gtest/gtest.h>

namespace adminauto::gateway {
namespace {

TEST(GatewayProtocol, RequestRoundTrips) {
  GatewayRequest request;
  request.org_id = "org-1";
  request.request.method = "POST";
  request.request.target = "/admin/v2/orgs/org-1/directories/-/users/search";
  request.request.body = R"({"limit":100})";
  request.request.headers = {{"Accept", "application/json"}};
  auto decoded = DecodeRequest(EncodeRequest(request));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->org_id, "org-1");
  EXPECT_EQ(decoded->request.method, "POST");
  EXPECT_EQ(decoded->request.target, request.request.target);
  EXPECT_EQ(decoded->request.body, R"({"limit":100})");
  ASSERT_EQ(decoded->request.headers.size(), 1u);
  EXPECT_EQ(decoded->request.headers[0].second, "application/json");
}

TEST(GatewayProtocol, ResponseAndErrorRoundTrip) {
  GatewayResponse ok;
  ok.response = atlassian::HttpResponse{429, {{"Retry-After", "3"}}, "slow down"};
  auto decoded = DecodeResponse(EncodeResponse(ok));
  ASSERT_TRUE(decoded.ok());
  ASSERT_TRUE(decoded->response.has_value());
  EXPECT_EQ(decoded->response->status, 429);
  EXPECT_EQ(decoded->response->Header("retry-after"), "3");
  EXPECT_EQ(decoded->response->body, "slow down");

  GatewayResponse error;
  error.error = {"denied", "not allowed"};
  auto decoded_error = DecodeResponse(EncodeResponse(error));
  ASSERT_TRUE(decoded_error.ok());
  EXPECT_FALSE(decoded_error->response.has_value());
  EXPECT_EQ(decoded_error->error.kind, "denied");
}

TEST(GatewayProtocol, MalformedRequestsNameField) {
  EXPECT_NE(DecodeRequest("not json").status().message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(DecodeRequest(R"({"method":"GET","target":"/"})").status().message().find("org_id"),
            std::string::npos);
  EXPECT_NE(DecodeRequest(R"({"org_id":1,"method":"GET","target":"/"})")
                .status()
                .message()
                .find("\"org_id\" must be a string"),
            std::string::npos);
  EXPECT_FALSE(
      DecodeRequest(R"({"org_id":"o","method":"GET","target":"/","headers":[["a"]]})").ok());
  EXPECT_FALSE(DecodeResponse(R"({"status":42})").ok());
}

TEST(GatewayProtocol, FrameLengthBounded) {
  std::string framed = Frame("abc");
  ASSERT_EQ(framed.size(), 7u);
  EXPECT_EQ(framed.substr(0, 4), std::string("\0\0\0\3", 4));
  auto length = FrameLength(framed);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(length->value(), 3u);
  EXPECT_FALSE(FrameLength("\0\0").value().has_value());
  // 0x7fffffff bytes is far above the 16 MiB limit.
  EXPECT_EQ(FrameLength(std::string("\x7f\xff\xff\xff", 4)).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace adminauto::gateway
