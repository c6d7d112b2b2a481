// The failure policy of work nobody awaits (core/background.hpp): an exception escaping a background
// task is logged at critical with the task's name and counted; a `fatal` one reaches the handler that
// ends the daemon; a busy mark held across co_await is released whatever happens.

#include "core/background.hpp"
#include "support/log_capture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>

using namespace copytrader;
namespace asio = boost::asio;
using Catch::Matchers::Contains;

namespace {

// Marks itself busy, waits a moment, then fails: the mark must come back.
asio::awaitable<void> failing_work(bool& busy) {
  busy = true;
  const scope_exit release([&busy] { busy = false; });
  asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
  co_await pause.async_wait(asio::use_awaitable);
  throw std::runtime_error("the venue sent nonsense");
}

asio::awaitable<void> fine_work(int& runs) {
  ++runs;
  co_return;
}

} // namespace

TEST_CASE("a retried task's exception is logged at critical with its name, and its busy mark released",
          "[background]") {
  copytrader::testing::log_capture log;
  asio::io_context io;
  background_tasks tasks(io.get_executor());
  bool fatal_called = false;
  tasks.on_fatal([&](const std::string&, const std::string&) { fatal_called = true; });
  bool busy = false;
  tasks.spawn("reconciliation", failing_work(busy));
  io.run();
  CHECK_FALSE(busy);
  CHECK(tasks.failures() == 1);
  CHECK_FALSE(fatal_called);
  CHECK_THAT(log.text(), Contains("critical background task reconciliation failed: the venue sent nonsense; it runs "
                                  "again when next due"));
  // The next run starts as if nothing happened.
  int runs = 0;
  tasks.spawn("reconciliation", fine_work(runs));
  io.restart();
  io.run();
  CHECK(runs == 1);
  CHECK(tasks.failures() == 1);
}

TEST_CASE("a fatal task's exception reaches the handler that ends the daemon", "[background]") {
  copytrader::testing::log_capture log;
  asio::io_context io;
  background_tasks tasks(io.get_executor());
  std::string ended_by;
  tasks.on_fatal([&](const std::string& task, const std::string& what) { ended_by = task + ": " + what; });
  bool busy = false;
  tasks.spawn("engine", failing_work(busy), task_policy::fatal);
  io.run();
  CHECK(ended_by == "engine: the venue sent nonsense");
  CHECK_FALSE(busy);
  CHECK_THAT(log.text(), Contains("critical background task engine failed") && Contains("the daemon stops"));
}

TEST_CASE("without a fatal handler a fatal failure leaves the io loop, never silently", "[background]") {
  asio::io_context io;
  background_tasks tasks(io.get_executor());
  bool busy = false;
  tasks.spawn("engine", failing_work(busy), task_policy::fatal);
  CHECK_THROWS_WITH(io.run(), Contains("the venue sent nonsense"));
}
