#include "http/router.h"

#include <gtest/gtest.h>

namespace adminauto::http {
namespace {

Request MakeRequest(const std::string& method, const std::string& target) {
  Request request;
  request.method = method;
  EXPECT_TRUE(ParseTarget(target, request).ok()) << target;
  return request;
}

Handler Named(std::string name) {
  return [name](const Request& request) {
    std::string body = name;
    for (const auto& [key, value] : request.path_params) body += " " + key + "=" + value;
    return Response::Text(200, body);
  };
}

TEST(Router, CapturesPathParameters) {
  Router router;
  router.Add("GET", "/orgs/{orgId}/users/{accountId}", "user", Named("user"));
  Request request = MakeRequest("GET", "/orgs/o-1/users/557058%3Aab");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "user accountId=557058:ab orgId=o-1");
}

TEST(Router, LiteralBeatsParameter) {
  Router router;
  router.Add("POST", "/users/{id}", "by-id", Named("by-id"));
  router.Add("POST", "/users/search", "search", Named("search"));
  Request request = MakeRequest("POST", "/users/search");
  EXPECT_EQ(router.Dispatch(request).body, "search");
}

TEST(Router, RestParameterMatchesPrefix) {
  Router router;
  router.Add("GET", "/__sim/{rest...}", "control", Named("control"));
  Request deep = MakeRequest("GET", "/__sim/a/b");
  EXPECT_EQ(router.Dispatch(deep).body, "control rest=a/b");
  Request bare = MakeRequest("GET", "/__sim");
  EXPECT_EQ(router.Dispatch(bare).body, "control rest=");
}

TEST(Router, UnknownPathGives404) {
  Router router;
  router.Add("GET", "/a", "a", Named("a"));
  Request request = MakeRequest("GET", "/b");
  EXPECT_EQ(router.Dispatch(request).status, 404);
  Request longer = MakeRequest("GET", "/a/extra");
  EXPECT_EQ(router.Dispatch(longer).status, 404);
}

TEST(Router, WrongMethodGives405WithAllow) {
  Router router;
  router.Add("GET", "/a/{x}", "get", Named("get"));
  router.Add("DELETE", "/a/{x}", "delete", Named("delete"));
  Request request = MakeRequest("PUT", "/a/1");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.find("allow")->second, "GET, DELETE");
}

TEST(Router, EmptySegmentDoesNotMatchParameter) {
  Router router;
  router.Add("GET", "/a/{x}/b", "a", Named("a"));
  Request request = MakeRequest("GET", "/a//b");
  EXPECT_EQ(router.Dispatch(request).status, 404);
}

TEST(ParseTarget, DecodesRepeatedQueryKeys) {
  Request request = MakeRequest("GET", "/p%20q?x=1&y=a%2Fb&x=2&flag");
  EXPECT_EQ(request.path, "/p q");
  EXPECT_EQ(request.QueryParams("x"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(request.QueryParam("y"), "a/b");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_FALSE(request.QueryParam("z").has_value());
}

TEST(ParseTarget, AcceptsAbsoluteFormFromProxy) {
  Request request;
  ASSERT_TRUE(ParseTarget("http://api.example.test:8080/a/b%20c?x=1", request).ok());
  EXPECT_EQ(request.path, "/a/b c");
  EXPECT_EQ(request.segments, (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(request.QueryParam("x"), "1");
  EXPECT_EQ(request.target, "http://api.example.test:8080/a/b%20c?x=1");
  ASSERT_TRUE(ParseTarget("https://api.example.test", request).ok());
  EXPECT_EQ(request.path, "/");
}

TEST(ParseTarget, RejectsMalformedTargets) {
  Request request;
  EXPECT_FALSE(ParseTarget("/a%zz", request).ok());
  EXPECT_FALSE(ParseTarget("http://api.example.test/a%zz", request).ok());
  EXPECT_FALSE(ParseTarget("ftp://api.example.test/a", request).ok());
  EXPECT_FALSE(ParseTarget("api.example.test:443", request).ok());
  EXPECT_FALSE(ParseTarget("*", request).ok());
}

TEST(Request, HeadersAreCaseInsensitive) {
  Request request;
  request.headers.emplace("X-RateLimit-Reset", "2026-01-01T00:00Z");
  EXPECT_EQ(request.Header("x-ratelimit-reset"), "2026-01-01T00:00Z");
  EXPECT_FALSE(request.Header("x-other").has_value());
}

}  // namespace
}  // namespace adminauto::http
