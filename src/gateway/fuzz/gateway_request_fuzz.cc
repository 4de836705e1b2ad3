// Feeds arbitrary bytes to the gateway's frame and message decoders, which read what any
// process connected to the socket sends. A decoded request is also run through the allowlist.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/policy.h"
#include "gateway/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adminauto::gateway;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)FrameLength(input);
  auto request = DecodeRequest(input);
  if (request.ok()) {
    (void)CheckAllowed(request->org_id, request->request.method, request->request.target);
  }
  (void)DecodeResponse(input);
  return 0;
}
