#pragma once
// Work nobody awaits (a reconciliation, a follower's worker, a preflight, a hub's run loop) is started
// here and nowhere else, so that its failure cannot vanish: asio::detached drops the exception.
//
// The policy (docs/architecture.md, "When background work fails"):
// - `retry`: the exception is logged at critical with the task's name and counted; the task's busy
//   marks were released by their guards as the exception left it, and whoever starts that work on
//   a schedule (the reconciliation timer, the minute's recheck, a nudge) starts it again.
// - `fatal`: the task is one the process cannot do without (the engine's own loop, a follower's
//   worker): logged at critical, then the fatal handler ends the process with the audit trail
//   flushed and a non-zero exit, so that systemd restarts it (Restart=on-failure).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace copytrader {

enum class task_policy { retry, fatal };

class background_tasks {
public:
  using fatal_handler = std::function<void(const std::string& task, const std::string& what)>;

  explicit background_tasks(boost::asio::any_io_executor executor);

  void spawn(std::string name, boost::asio::awaitable<void> task, task_policy policy = task_policy::retry);
  // Who ends the process on a fatal failure (the daemon); without one, a fatal failure is rethrown
  // out of the io loop.
  void on_fatal(fatal_handler handler) { state_->fatal = std::move(handler); }

  [[nodiscard]] std::uint64_t failures() const noexcept { return state_->failures; }
  [[nodiscard]] const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

private:
  // Shared with the completion handlers: a task may end after its owner is gone.
  struct state {
    fatal_handler fatal;
    std::uint64_t failures = 0;
  };
  boost::asio::any_io_executor executor_;
  std::shared_ptr<state> state_ = std::make_shared<state>();
};

// Runs `release` when it goes out of scope, however the scope is left (a busy mark across co_await).
template <typename F>
class scope_exit {
public:
  explicit scope_exit(F release) : release_(std::move(release)) {}
  scope_exit(const scope_exit&) = delete;
  scope_exit& operator=(const scope_exit&) = delete;
  ~scope_exit() { release_(); }

private:
  F release_;
};

} // namespace copytrader
