#include "core/secret.hpp"
#include "logging/redact.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <sstream>

using copytrader::redact;
using copytrader::secret;

TEST_CASE("a secret never prints its value", "[secret][J4]") {
  const secret key("canary-api-key-7f3a");
  CHECK(fmt::format("{}", key) == "<redacted>");
  CHECK(fmt::format("key={:>12}", key) == "key=  <redacted>");
  std::ostringstream out;
  out << key;
  CHECK(out.str() == "<redacted>");
  CHECK(key.reveal() == "canary-api-key-7f3a");
}

TEST_CASE("a moved-from secret is empty", "[secret]") {
  secret a("abc");
  secret b(std::move(a));
  CHECK(b.reveal() == "abc");
  CHECK(a.empty()); // NOLINT(bugprone-use-after-move): the wipe is what is tested
  secret c;
  c = std::move(b);
  CHECK(c.reveal() == "abc");
  CHECK(b.empty()); // NOLINT(bugprone-use-after-move)
}

TEST_CASE("redaction removes tokens from hub URLs and headers", "[redact][J4]") {
  CHECK(redact("connecting to wss://rtc.example/hubs/user?access_token=eyJhbGciOi.abc.def") ==
        "connecting to wss://rtc.example/hubs/user?access_token=<redacted>");
  CHECK(redact("GET /hubs/user?id=1&access_token=tok123&x=2 failed") ==
        "GET /hubs/user?id=1&access_token=<redacted>&x=2 failed");
  CHECK(redact("Authorization: Bearer eyJ.payload.sig") == "Authorization: Bearer <redacted>");
  CHECK(redact("authorization: bearer abc, next") == "authorization: bearer <redacted>, next");
}

TEST_CASE("redaction removes secret JSON fields", "[redact][J4]") {
  CHECK(redact(R"({"userName":"u","apiKey":"k-123"})") == R"({"userName":"u","apiKey":"<redacted>"})");
  CHECK(redact(R"({"token" : "eyJ\"x", "success":true})") == R"({"token" : "<redacted>", "success":true})");
  CHECK(redact(R"({"newToken":"abc","errorCode":0})") == R"({"newToken":"<redacted>","errorCode":0})");
  // Other fields and words containing the names are left alone.
  CHECK(redact(R"({"tokens":"x","customTag":"ct-1"})") == R"({"tokens":"x","customTag":"ct-1"})");
  CHECK(redact("no_access_token=1 stays") == "no_access_token=1 stays");
  CHECK(redact("") == "");
}
