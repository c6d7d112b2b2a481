#include "copy/tag_resolution.hpp"

namespace copytrader::copy {
namespace px = copytrader::projectx;

const char* to_string(resolve_end end) noexcept {
  switch (end) {
    case resolve_end::none: return "unsettled";
    case resolve_end::answered: return "answered";
    case resolve_end::found: return "found by its tag";
    case resolve_end::duplicate_absent: return "refused as a duplicate tag, yet not found";
    case resolve_end::deadline: return "still unknown at the resolution's deadline";
    case resolve_end::sends_spent: return "still unknown after three sends";
  }
  return "unsettled";
}

tag_resolution::tag_resolution(steady_time start, std::chrono::milliseconds request_timeout)
    : start_(start), deadline_(start + limit_for(request_timeout)), request_timeout_(request_timeout) {}

resolve_step tag_resolution::begin(resolve_step_kind kind, steady_time at) {
  if (at + request_timeout_ > deadline_) return settled(resolve_end::deadline);
  if (kind == resolve_step_kind::send && sends_ >= max_sends) return settled(resolve_end::sends_spent);
  return {kind, at, resolve_end::none};
}

resolve_step tag_resolution::on_place(px::outcome_kind kind, px::refusal_kind refusal, steady_time now) {
  ++sends_;
  absent_ = 0;
  duplicate_ = kind == px::outcome_kind::rejected && refusal == px::refusal_kind::duplicate_tag;
  switch (kind) {
    case px::outcome_kind::confirmed: return settled(resolve_end::answered);
    case px::outcome_kind::not_sent: return begin(resolve_step_kind::send, now + resend_pause);
    case px::outcome_kind::rejected:
      if (!duplicate_) return settled(resolve_end::answered);
      return begin(resolve_step_kind::search, now + first_search_pause); // an earlier attempt landed
    case px::outcome_kind::unknown: return begin(resolve_step_kind::search, now + first_search_pause);
  }
  return settled(resolve_end::answered);
}

resolve_step tag_resolution::on_search(search_result result, steady_time now) {
  if (result == search_result::found) return settled(resolve_end::found);
  if (result == search_result::absent) ++absent_;
  if (absent_ < 2) return begin(resolve_step_kind::search, now + next_search_pause);
  if (duplicate_) return settled(resolve_end::duplicate_absent);
  return begin(resolve_step_kind::send, now); // absent twice: nothing landed, the same tag again
}

} // namespace copytrader::copy
