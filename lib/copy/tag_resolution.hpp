#pragma once
// Resolving one order place whose outcome is not certain, as a pure state machine under one deadline
// (faults.md B1, B4, B6, B10, B11, B15). The same tag is sent again only when nothing reached the
// venue, or after two searches of the account's orders completed without finding it: a failed search
// proves nothing. No step begins that could not end by the deadline, so one unknown place holds its
// follower (and the follower's other contracts) for a bounded time, whatever the venue does; what is
// still unknown then is left to reconciliation.

#include "projectx/mutation_outcome.hpp"

#include <chrono>
#include <cstdint>

namespace copytrader::copy {

using steady_time = std::chrono::steady_clock::time_point;

enum class resolve_step_kind : std::uint8_t {
  send,   // the place, with the same tag, at `at`
  search, // the account's orders searched for the tag, at `at`
  done,   // settled: `end` says how
};

enum class resolve_end : std::uint8_t {
  none,             // not settled
  answered,         // the place's own answer decides (confirmed, or refused other than as a duplicate)
  found,            // the search found the order: it decides
  duplicate_absent, // refused as a duplicate tag, yet not found: never sent again (no loop)
  deadline,         // the next step could not end by the deadline: left unknown
  sends_spent,      // sent max_sends times without an answer: left unknown
};
[[nodiscard]] const char* to_string(resolve_end end) noexcept;

enum class search_result : std::uint8_t { found, absent, failed };

struct resolve_step {
  resolve_step_kind kind = resolve_step_kind::done;
  steady_time at{};
  resolve_end end = resolve_end::none;
};

class tag_resolution {
public:
  static constexpr int max_sends = 3;
  static constexpr auto resend_pause = std::chrono::milliseconds(200);       // after "not sent"
  static constexpr auto first_search_pause = std::chrono::milliseconds(250); // the order may be on its way
  static constexpr auto next_search_pause = std::chrono::milliseconds(1000);
  // Room for the first place, two searches and one resend, each up to a request's own timeout.
  [[nodiscard]] static std::chrono::milliseconds limit_for(std::chrono::milliseconds request_timeout) {
    return 2 * request_timeout + std::chrono::seconds(3);
  }

  tag_resolution(steady_time start, std::chrono::milliseconds request_timeout);

  [[nodiscard]] resolve_step first() const { return {resolve_step_kind::send, start_, resolve_end::none}; }
  // The answer to a send; `now` is when it came.
  resolve_step on_place(projectx::outcome_kind kind, projectx::refusal_kind refusal, steady_time now);
  resolve_step on_search(search_result result, steady_time now);

  [[nodiscard]] steady_time deadline() const noexcept { return deadline_; }
  [[nodiscard]] int sends() const noexcept { return sends_; }

private:
  resolve_step begin(resolve_step_kind kind, steady_time at);
  static resolve_step settled(resolve_end end) { return {resolve_step_kind::done, {}, end}; }

  steady_time start_;
  steady_time deadline_;
  std::chrono::milliseconds request_timeout_;
  int sends_ = 0;
  int absent_ = 0;         // completed searches that did not find the tag, since the last send
  bool duplicate_ = false; // the last send was refused as a duplicate tag
};

} // namespace copytrader::copy
