// The request budget's shell on a real io_context: a wait sleeps on a timer (it is woken about once
// per grant, never spinning), and close() releases every waiter at once so a stop never waits for it.

#include "safety/request_budget.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <vector>

using namespace copytrader;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Each acquire's result, in the order the requests were made: 1 granted, 0 released unsent, -1 pending.
struct results {
  std::vector<int> of;
  int count(int value) const { return static_cast<int>(std::count(of.begin(), of.end(), value)); }
};

void request(asio::io_context& io, request_budget& budget, results& r, request_priority priority) {
  const std::size_t i = r.of.size();
  r.of.push_back(-1);
  asio::co_spawn(io, budget.acquire(priority), [&r, i](std::exception_ptr e, bool granted) {
    REQUIRE_FALSE(e);
    r.of[i] = granted ? 1 : 0;
  });
}

} // namespace

TEST_CASE("requests over the budget sleep until their grant: about one wake-up per grant", "[budget]") {
  asio::io_context io;
  request_budget budget(io.get_executor(), 2, 200ms, "follower_user"); // slots come back after 250 ms
  results r;
  for (int i = 0; i < 6; ++i) request(io, budget, r, request_priority::entry);
  io.run_for(100ms);
  CHECK(r.count(1) == 2); // the first two at once, the rest waiting
  CHECK(budget.waiting() == 4);
  io.run_for(2s); // returns early once all are granted: nothing else is pending
  CHECK(r.count(1) == 6);
  // Two grant times after the first, each waking the budget's timer once and its two waiters once.
  // A wait that polls, or waiters that wake each other, counts thousands here.
  CHECK(budget.wakeups() <= 8);
}

TEST_CASE("higher priority waiters are granted first and a 429 delays without waking in between", "[budget]") {
  asio::io_context io;
  request_budget budget(io.get_executor(), 1, 1s, "follower_user"); // a used slot comes back after 1.05 s
  results r;
  request(io, budget, r, request_priority::read); // granted at once
  request(io, budget, r, request_priority::read);
  request(io, budget, r, request_priority::exit);
  io.poll();
  CHECK(r.of == std::vector<int>{1, -1, -1});
  budget.throttled(std::chrono::seconds(1));
  io.run_for(500ms);
  CHECK(r.of == std::vector<int>{1, -1, -1}); // cooling down: nothing goes
  io.run_for(1s);
  CHECK(r.of == std::vector<int>{1, -1, 1}); // the exit first, at 1.05 s
  io.run_for(2s);
  CHECK(r.of == std::vector<int>{1, 1, 1});
  CHECK(budget.wakeups() <= 6);
}

TEST_CASE("close releases every waiting request unsent, at once, and refuses later ones", "[budget]") {
  asio::io_context io;
  request_budget budget(io.get_executor(), 1, 60s, "follower_user");
  results r;
  request(io, budget, r, request_priority::exit);
  request(io, budget, r, request_priority::entry);
  request(io, budget, r, request_priority::read);
  io.poll();
  CHECK(r.of == std::vector<int>{1, -1, -1});
  budget.close();
  // The next grant is a minute away: run() returning with every request done shows nothing waits.
  const auto start = std::chrono::steady_clock::now();
  io.run_for(10s);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(r.of == std::vector<int>{1, 0, 0});
  CHECK(budget.waiting() == 0);
  request(io, budget, r, request_priority::exit);
  io.restart();
  io.run();
  CHECK(r.of.back() == 0);
}

TEST_CASE("what runs before a grant sees the count of requests before it", "[budget][round_trip]") {
  asio::io_context io;
  request_budget budget(io.get_executor(), 2, 200ms, "follower_user");
  std::vector<std::uint64_t> seen;
  budget.before_grant([&] { seen.push_back(budget.granted_total()); });
  CHECK(budget.try_acquire(request_priority::entry));
  CHECK(seen == std::vector<std::uint64_t>{0});
  results r;
  request(io, budget, r, request_priority::exit); // granted through the queue
  request(io, budget, r, request_priority::exit); // waits for a slot
  io.poll();
  CHECK(r.of == std::vector<int>{1, -1});
  REQUIRE(seen.size() >= 2);
  CHECK(seen[1] == 1);
  io.run_for(1s);
  CHECK(r.of == std::vector<int>{1, 1});
  CHECK(budget.granted_total() == 3);
  // Every grant had the hook run first, while the count was still the one before it.
  CHECK(std::find(seen.begin(), seen.end(), 2) != seen.end());
  CHECK(std::all_of(seen.begin(), seen.end(), [](std::uint64_t n) { return n <= 2; }));
}
