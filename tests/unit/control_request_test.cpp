#include "control/control_request.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace copytrader::control;
using Catch::Matchers::Contains;

namespace {

std::string error_of(std::string_view line) {
  auto r = parse_request(line);
  return r ? std::string() : r.error().message;
}

} // namespace

TEST_CASE("control requests: every command in its documented shape", "[control]") {
  auto status = parse_request(R"({"command":"status"})");
  REQUIRE(status.has_value());
  CHECK(status->what == command::status);
  CHECK(parse_request(R"({"command":"stats"})")->what == command::stats);
  CHECK(parse_request(R"({"command":"reset-breaker"})")->what == command::reset_breaker);
  CHECK(parse_request(R"({"command":"reload"})")->what == command::reload);
  auto enable = parse_request(R"({"command":"enable","name":"small"})");
  REQUIRE(enable.has_value());
  CHECK(enable->what == command::enable);
  CHECK(enable->name == "small");
  CHECK_FALSE(enable->catch_up);
  auto catch_up = parse_request(R"({"command":"enable","name":"small","catch_up":true})");
  REQUIRE(catch_up.has_value());
  CHECK(catch_up->catch_up);
  CHECK(parse_request(R"({"command":"disable","name":"es-2"})")->name == "es-2");
  auto all = parse_request(R"({"command":"flatten","all":true})");
  REQUIRE(all.has_value());
  CHECK(all->all);
  auto copy = parse_request(
      R"({"command":"copy","side":"short","size":2,"sl_ticks":8,"tp_ticks":12,"strategy":"manual","dry_run":true})");
  REQUIRE(copy.has_value());
  REQUIRE(copy->signal);
  CHECK_FALSE(copy->signal->long_side);
  CHECK(copy->signal->size == 2);
  CHECK(copy->signal->sl_ticks == 8);
  CHECK(copy->signal->tp_ticks == 12);
  CHECK(copy->signal->strategy == "manual");
  CHECK(copy->signal->dry_run);
  CHECK(copy->signal->contract.empty());
  auto mapped = parse_request(R"({"command":"copy","side":"long","size":1,"contract":"CON.F.US.MES.U26"})");
  REQUIRE(mapped.has_value());
  CHECK(mapped->signal->contract == "CON.F.US.MES.U26");
}

TEST_CASE("control requests: malformed, oversized and unknown ones are refused with a reason", "[control]") {
  CHECK_THAT(error_of("not json"), Contains("not JSON"));
  CHECK_THAT(error_of("[1,2]"), Contains("JSON object"));
  CHECK_THAT(error_of(R"({"command":"explode"})"), Contains("unknown command"));
  CHECK_THAT(error_of(R"({"name":"x"})"), Contains("command is required"));
  CHECK_THAT(error_of(R"({"command":"status","extra":1})"), Contains("unexpected key \"extra\""));
  CHECK_THAT(error_of(R"({"command":"enable"})"), Contains("name must be"));
  CHECK_THAT(error_of(R"({"command":"enable","name":"a b"})"), Contains("name must be"));
  CHECK_THAT(error_of(R"({"command":"flatten","all":true,"name":"x"})"), Contains("not both"));
  CHECK_THAT(error_of(R"({"command":"disable","name":"x","catch_up":true})"), Contains("unexpected key \"catch_up\""));
  CHECK_THAT(error_of(R"({"command":"enable","name":"x","catch_up":1})"), Contains("catch_up must be true or false"));
  CHECK_THAT(error_of(R"({"command":"copy","side":"up","size":1})"), Contains("side"));
  CHECK_THAT(error_of(R"({"command":"copy","side":"long","size":0})"), Contains("size must be between"));
  CHECK_THAT(error_of(R"({"command":"copy","side":"long","size":1.5})"), Contains("whole number"));
  CHECK_THAT(error_of(R"({"command":"copy","side":"long","size":1,"sl_ticks":2})"), Contains("sl_ticks"));
  CHECK_THAT(error_of(R"({"command":"copy","side":"long","size":1,"contract":"a b"})"), Contains("contract must"));
  CHECK_THAT(error_of(std::string(max_request_bytes + 1, ' ')), Contains("larger than 4096"));
  CHECK_THAT(error_of(R"({"command":{"a":{"b":{"c":{"d":1}}}}})"), Contains("not JSON")); // too deep
}

TEST_CASE("control responses are one JSON line each", "[control]") {
  const auto ok = ok_response(R"({"copies":3})");
  CHECK(ok == "{\"ok\":true,\"result\":{\"copies\":3}}\n");
  const auto bad = error_response("no follower named \"x\"");
  CHECK(bad.back() == '\n');
  const auto parsed = boost::json::parse(bad);
  CHECK(parsed.at("ok").as_bool() == false);
  CHECK(parsed.at("error").as_string() == "no follower named \"x\"");
}
