// The resolution of an uncertain place, step by step on a fake clock (the model: Boost.Redis
// test_run_fsm.cpp): each rule of copy/tag_resolution.hpp and the fault ids it decides.

#include "copy/tag_resolution.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::copy;
using namespace std::chrono_literals;
namespace px = copytrader::projectx;
using kind = resolve_step_kind;

namespace {

const steady_time t0 = steady_time{} + 1h;
constexpr auto timeout = std::chrono::milliseconds(5000); // api.request_timeout's default

void check_step(const resolve_step& step, kind k, steady_time at) {
  CHECK(step.kind == k);
  CHECK(step.at == at);
  CHECK(step.end == resolve_end::none);
}

void check_done(const resolve_step& step, resolve_end end) {
  CHECK(step.kind == kind::done);
  CHECK(step.end == end);
}

} // namespace

TEST_CASE("tag resolution: a confirmed or plainly refused place settles at once", "[tag_resolution]") {
  tag_resolution r(t0, timeout);
  check_step(r.first(), kind::send, t0);
  CHECK(r.deadline() == t0 + 13s); // two request timeouts and 3 s
  check_done(r.on_place(px::outcome_kind::confirmed, px::refusal_kind::none, t0 + 40ms), resolve_end::answered);

  tag_resolution refused(t0, timeout);
  check_done(refused.on_place(px::outcome_kind::rejected, px::refusal_kind::account_violation, t0 + 40ms),
             resolve_end::answered);
  CHECK(refused.sends() == 1);
}

TEST_CASE("tag resolution: unknown (B4, B10) searches after 250 ms; found, nothing is sent again",
          "[tag_resolution][B4][B10]") {
  tag_resolution r(t0, timeout);
  check_step(r.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 5s), kind::search, t0 + 5250ms);
  check_done(r.on_search(search_result::found, t0 + 5300ms), resolve_end::found);
  CHECK(r.sends() == 1);
}

TEST_CASE("tag resolution: absent twice, the same tag is sent again (B6); found after the resend",
          "[tag_resolution][B6]") {
  tag_resolution r(t0, timeout);
  check_step(r.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 100ms), kind::search, t0 + 350ms);
  check_step(r.on_search(search_result::absent, t0 + 400ms), kind::search, t0 + 1400ms); // B15: may miss once
  check_step(r.on_search(search_result::absent, t0 + 1450ms), kind::send, t0 + 1450ms);
  check_done(r.on_place(px::outcome_kind::confirmed, px::refusal_kind::none, t0 + 1500ms), resolve_end::answered);
  CHECK(r.sends() == 2);
}

TEST_CASE("tag resolution: a failed search proves nothing; it never leads to a resend", "[tag_resolution]") {
  tag_resolution r(t0, timeout);
  r.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 100ms);
  steady_time now = t0 + 400ms;
  for (int i = 0; i < 3; ++i) {
    const auto step = r.on_search(search_result::failed, now);
    check_step(step, kind::search, now + 1s);
    now = step.at + 50ms;
  }
  // One absent is not two: searched again, not sent.
  check_step(r.on_search(search_result::absent, now), kind::search, now + 1s);
  // Failed searches until the next would end after the deadline: left unknown, never sent blindly.
  now += 1s;
  resolve_step step;
  do {
    step = r.on_search(search_result::failed, now);
    now += 1050ms;
  } while (step.kind == kind::search);
  check_done(step, resolve_end::deadline);
  CHECK(r.sends() == 1);
}

TEST_CASE("tag resolution: refused as a duplicate tag (B1) searches; absent twice it is not sent again",
          "[tag_resolution][B1]") {
  tag_resolution r(t0, timeout);
  check_step(r.on_place(px::outcome_kind::rejected, px::refusal_kind::duplicate_tag, t0 + 50ms), kind::search,
             t0 + 300ms);
  check_step(r.on_search(search_result::absent, t0 + 350ms), kind::search, t0 + 1350ms);
  check_done(r.on_search(search_result::absent, t0 + 1400ms), resolve_end::duplicate_absent);

  tag_resolution found(t0, timeout);
  found.on_place(px::outcome_kind::rejected, px::refusal_kind::duplicate_tag, t0 + 50ms);
  check_done(found.on_search(search_result::found, t0 + 350ms), resolve_end::found);
}

TEST_CASE("tag resolution: not sent goes again after 200 ms, at most three sends (B5)", "[tag_resolution][B5]") {
  tag_resolution r(t0, 1000ms);
  check_step(r.on_place(px::outcome_kind::not_sent, px::refusal_kind::none, t0 + 10ms), kind::send, t0 + 210ms);
  check_step(r.on_place(px::outcome_kind::not_sent, px::refusal_kind::none, t0 + 220ms), kind::send, t0 + 420ms);
  check_done(r.on_place(px::outcome_kind::not_sent, px::refusal_kind::none, t0 + 430ms), resolve_end::sends_spent);
  CHECK(r.sends() == 3);
}

TEST_CASE("tag resolution: one deadline for the whole resolution, not a count of slow attempts", "[tag_resolution]") {
  // Every place times out (5 s each). Before: three places, their searches and pauses held the
  // follower for about 50 s. Now: no step begins that could not end by 13 s after the first send.
  tag_resolution r(t0, timeout);
  check_step(r.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 5s), kind::search, t0 + 5250ms);
  check_step(r.on_search(search_result::absent, t0 + 5300ms), kind::search, t0 + 6300ms);
  check_step(r.on_search(search_result::absent, t0 + 6350ms), kind::send, t0 + 6350ms);
  // The resend timed out too: a search would end after the deadline.
  check_done(r.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 11350ms), resolve_end::deadline);
  CHECK(r.sends() == 2);

  // A slow search leaves no room for a resend: the resolution ends unknown rather than run late.
  tag_resolution slow(t0, timeout);
  slow.on_place(px::outcome_kind::unknown, px::refusal_kind::none, t0 + 5s);
  slow.on_search(search_result::absent, t0 + 7s);
  check_done(slow.on_search(search_result::absent, t0 + 9s), resolve_end::deadline);
  CHECK(slow.sends() == 1);
}
