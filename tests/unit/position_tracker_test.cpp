#include "copy/position_tracker.hpp"
#include "support/entities.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::copy;
namespace px = copytrader::projectx;
using namespace std::chrono_literals;

namespace {

const std::string mes = "CON.F.US.MES.U26";
const position_tracker::steady_time t0{};
const auto wall = std::chrono::system_clock::now();

px::trade fill(px::trade_id id, int side, std::int32_t size, px::order_id order = 9,
               px::account_number account = 1001) {
  px::trade t;
  t.id = id;
  t.account_id = account;
  t.contract_id = mes;
  t.side = side;
  t.size = size;
  t.order = order;
  t.created = std::chrono::time_point_cast<std::chrono::microseconds>(wall);
  return t;
}

px::position position(std::int32_t signed_size) { return testing::make_position(1001, mes, signed_size); }

} // namespace

TEST_CASE("trades drive the net; a duplicate trade changes nothing", "[tracker][D1]") {
  position_tracker tracker(1001, 250ms, 30s);
  auto first = tracker.on_trade(fill(1, px::side::bid, 2), t0, wall);
  REQUIRE(first);
  CHECK(first->old_net == 0);
  CHECK(first->new_net == 2);
  CHECK(first->cause == change_cause::trade);
  CHECK_FALSE(tracker.on_trade(fill(1, px::side::bid, 2), t0, wall));
  CHECK(tracker.duplicates() == 1);
  auto exit = tracker.on_trade(fill(2, px::side::ask, 3), t0, wall);
  REQUIRE(exit);
  CHECK(exit->new_net == -1); // a reversal in one fill (D7)
}

TEST_CASE("a position event before its trade is not counted twice", "[tracker][D2]") {
  position_tracker tracker(1001, 250ms, 30s);
  CHECK_FALSE(tracker.on_position(position(2), t0));
  CHECK(tracker.net(mes) == 0);
  auto change = tracker.on_trade(fill(1, px::side::bid, 2), t0 + 5ms, wall);
  REQUIRE(change);
  CHECK(change->new_net == 2);
  CHECK(tracker.poll(t0 + 1s).empty()); // the gap closed: no correction
  CHECK(tracker.net(mes) == 2);
}

TEST_CASE("a lost trade is corrected by the position after the settle time", "[tracker][A5]") {
  position_tracker tracker(1001, 250ms, 30s);
  tracker.on_trade(fill(1, px::side::bid, 1), t0, wall);
  tracker.on_position(position(3), t0 + 10ms); // the +2 trade frame was dropped
  CHECK(tracker.poll(t0 + 200ms).empty());
  CHECK(tracker.next_deadline() == t0 + 260ms);
  auto corrections = tracker.poll(t0 + 260ms);
  REQUIRE(corrections.size() == 1);
  CHECK(corrections[0].old_net == 1);
  CHECK(corrections[0].new_net == 3);
  CHECK(corrections[0].cause == change_cause::position_correction);
  CHECK(tracker.net(mes) == 3);
  // The trade was only late, not lost: it must not be counted a second time.
  CHECK_FALSE(tracker.on_trade(fill(2, px::side::bid, 2), t0 + 400ms, wall));
  CHECK(tracker.net(mes) == 3);
  // A genuinely new fill afterwards counts as usual.
  auto next = tracker.on_trade(fill(3, px::side::bid, 1), t0 + 500ms, wall);
  REQUIRE(next);
  CHECK(next->new_net == 4);
}

TEST_CASE("a correction's credit expires with max_copy_age", "[tracker][A5]") {
  position_tracker tracker(1001, 250ms, 30s);
  tracker.on_position(position(2), t0);
  REQUIRE(tracker.poll(t0 + 300ms).size() == 1);
  auto much_later = tracker.on_trade(fill(1, px::side::bid, 1), t0 + 31s, wall);
  REQUIRE(much_later);
  CHECK(much_later->new_net == 3);
}

TEST_CASE("a flat position event (type 0, size 0) agrees with trades that closed", "[tracker]") {
  position_tracker tracker(1001, 250ms, 30s);
  tracker.on_trade(fill(1, px::side::bid, 2), t0, wall);
  tracker.on_trade(fill(2, px::side::ask, 2), t0, wall);
  CHECK_FALSE(tracker.on_position(position(0), t0));
  CHECK(tracker.poll(t0 + 1s).empty());
}

TEST_CASE("other accounts' events are ignored", "[tracker][D5]") {
  position_tracker tracker(1001, 250ms, 30s);
  CHECK_FALSE(tracker.on_trade(fill(1, px::side::bid, 2, 9, 2001), t0, wall));
  auto p = position(5);
  p.account_id = 2001;
  tracker.on_position(p, t0);
  CHECK(tracker.poll(t0 + 1s).empty());
}

TEST_CASE("voided trades are reported, never applied", "[tracker][D3]") {
  position_tracker tracker(1001, 250ms, 30s);
  tracker.on_trade(fill(1, px::side::bid, 2), t0, wall);
  auto voided = fill(1, px::side::bid, 2);
  voided.voided = true;
  CHECK_FALSE(tracker.on_trade(voided, t0, wall));
  auto reported = tracker.take_voided();
  REQUIRE(reported.size() == 1);
  CHECK(reported[0].trade == 1);
  CHECK(tracker.net(mes) == 2);
}

TEST_CASE("a fill older than max_copy_age is marked stale", "[tracker][D11]") {
  position_tracker tracker(1001, 250ms, 30s);
  auto old = fill(1, px::side::bid, 1);
  old.created = std::chrono::time_point_cast<std::chrono::microseconds>(wall - 30min);
  auto change = tracker.on_trade(old, t0, wall);
  REQUIRE(change);
  CHECK(change->stale);
  CHECK_FALSE(tracker.on_trade(fill(2, px::side::bid, 1), t0, wall)->stale);
}

TEST_CASE("a fill stamped hours away is not judged by its stamp: it counts as it arrives", "[tracker][D10]") {
  position_tracker tracker(1001, 250ms, 30s);
  auto past = fill(1, px::side::bid, 1);
  past.created = std::chrono::time_point_cast<std::chrono::microseconds>(wall - 24h);
  auto future = fill(2, px::side::bid, 1);
  future.created = std::chrono::time_point_cast<std::chrono::microseconds>(wall + 24h);
  auto a = tracker.on_trade(past, t0, wall);
  auto b = tracker.on_trade(future, t0, wall);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(a->stale);
  CHECK_FALSE(b->stale);
  CHECK(b->new_net == 2);
}

TEST_CASE("the entry's customTag comes from its order event", "[tracker][strategy]") {
  position_tracker tracker(1001, 250ms, 30s);
  px::order entry;
  entry.id = 77;
  entry.account_id = 1001;
  entry.contract_id = mes;
  entry.custom_tag = "scalper_v2-1";
  tracker.on_order(entry);
  auto change = tracker.on_trade(fill(1, px::side::bid, 1, 77), t0, wall);
  REQUIRE(change);
  CHECK(change->entry_tag == "scalper_v2-1");
  CHECK(tracker.tag_of(77) == "scalper_v2-1");
  CHECK_FALSE(tracker.tag_of(78));
}

TEST_CASE("memory stays bounded", "[tracker][I2]") {
  position_tracker tracker(1001, 250ms, 30s);
  for (px::trade_id id = 1; id <= 120'000; ++id)
    tracker.on_trade(fill(id, id % 2 == 0 ? px::side::bid : px::side::ask, 1), t0, wall);
  CHECK(tracker.remembered_trades() == 100'000);
  CHECK(tracker.net(mes) == 0);
}
