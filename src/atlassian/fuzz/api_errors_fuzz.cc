// Feeds arbitrary bytes to the error-body classifier and the rate-limit header parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "atlassian/api_error.h"
#include "atlassian/rate_budget.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adminauto::atlassian;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (int status : {401, 403, 404, 429, 500}) (void)ClassifyErrorResponse(status, body, "GET /x");
  TimePoint now{};
  (void)ParseRetryAfter(body, now);
  HttpResponse response;
  response.status = 429;
  response.headers = {{"X-RateLimit-Reset", std::string(body)}};
  std::mt19937_64 rng(1);
  (void)ComputeRetryDelay(&response, 1, now, RetryPolicy{}, rng);
  return 0;
}
