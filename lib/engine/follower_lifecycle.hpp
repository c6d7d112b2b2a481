#pragma once
// Where a follower is in its life, as one state: the preflight's verdict, a check under way, and a
// reload's retirement, which were three flags and an optional reason. Pure: the session asks it
// whether to copy and tells it what happened.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::engine {

enum class follower_stage : std::uint8_t {
  awaiting_check, // configured, never checked: nothing is sent
  checking,       // a check under way on a follower that does not copy
  active,         // copying
  rechecking,     // active and checked again (a reload changed its contracts): it copies meanwhile
  refused,        // the check found a problem: nothing is sent; checked again every minute
  retiring,       // removed by a reload: what it holds is managed until flat, nothing is added
};
[[nodiscard]] std::string_view to_string(follower_stage stage) noexcept;

enum class check_verdict : std::uint8_t {
  activated,   // no problem: it copies
  kept_active, // a read failed on a follower that copies: it proves nothing, so it copies on
  refused,     // a problem (or a failed read on one that never copied): nothing is sent
};

class follower_lifecycle {
public:
  [[nodiscard]] follower_stage stage() const noexcept { return stage_; }
  // Orders are planned and sent (while retiring: only to bring what is held to flat).
  [[nodiscard]] bool copies() const noexcept { return usable(effective()); }
  [[nodiscard]] bool checking() const noexcept {
    const auto s = effective();
    return s == follower_stage::checking || s == follower_stage::rechecking;
  }
  [[nodiscard]] bool retiring() const noexcept { return stage_ == follower_stage::retiring; }
  // Why nothing is sent, while nothing is (empty while it copies).
  [[nodiscard]] const std::optional<std::string>& refusal() const noexcept { return shown_; }

  // False while a check is under way (the one under way decides) or while retiring.
  bool begin_check();
  // The check's problem (none: fine); `unreadable`: the problem is a read that failed.
  check_verdict end_check(const std::optional<std::string>& problem, bool unreadable);
  // The check ended without a verdict (it threw): back where it was.
  void abandon_check();
  void retire();
  void revive(); // configured again while retiring: as it was before

private:
  [[nodiscard]] follower_stage effective() const noexcept {
    return stage_ == follower_stage::retiring ? before_retiring_ : stage_;
  }
  [[nodiscard]] static bool usable(follower_stage s) noexcept {
    return s == follower_stage::active || s == follower_stage::rechecking;
  }
  void set(follower_stage s);

  follower_stage stage_ = follower_stage::awaiting_check;
  follower_stage before_retiring_ = follower_stage::awaiting_check;
  follower_stage before_check_ = follower_stage::awaiting_check;
  std::string reason_ = "waiting for its preflight";
  std::optional<std::string> shown_ = reason_;
};

} // namespace copytrader::engine
