#include "core/background.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <stdexcept>

namespace copytrader {

background_tasks::background_tasks(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

void background_tasks::spawn(std::string name, boost::asio::awaitable<void> task, task_policy policy) {
  boost::asio::co_spawn(
      executor_, std::move(task), [state = state_, name = std::move(name), policy](const std::exception_ptr& e) {
        if (!e) return;
        std::string what = "an exception of unknown type";
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          what = ex.what();
        } catch (...) { // NOLINT(bugprone-empty-catch): named above
        }
        ++state->failures;
        if (policy == task_policy::retry) {
          spdlog::critical("background task {} failed: {}; it runs again when next due", name, what);
          return;
        }
        spdlog::critical("background task {} failed: {}; the daemon stops (systemd restarts it)", name, what);
        if (!state->fatal) std::rethrow_exception(e);
        state->fatal(name, what);
      });
}

} // namespace copytrader
