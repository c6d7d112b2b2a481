#include "copy/follower_book.hpp"
#include "copy/leader_legs.hpp"
#include "copy/leg_plan.hpp"
#include "copy/planner.hpp"
#include "support/entities.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::copy;
namespace px = copytrader::projectx;
using namespace std::chrono_literals;

namespace {

const std::string mes = "CON.F.US.MES.U26";
const auto t0 = std::chrono::steady_clock::time_point{} + 1h;

px::trade fill(px::trade_id id, px::order_id order, int signed_size) {
  px::trade t;
  t.id = id;
  t.account_id = 2001;
  t.contract_id = mes;
  t.side = signed_size > 0 ? px::side::bid : px::side::ask;
  t.size = std::abs(signed_size);
  t.order = order;
  t.price = 6500;
  return t;
}

px::order order_event(px::order_id id, int status, int size, int filled, std::optional<std::string> tag = {},
                      int type = px::order_type::market, int side = px::side::bid) {
  px::order o;
  o.id = id;
  o.account_id = 2001;
  o.contract_id = mes;
  o.status = status;
  o.type = type;
  o.side = side;
  o.size = size;
  o.fill_volume = filled;
  o.custom_tag = std::move(tag);
  return o;
}

px::position position_of(int signed_size) { return testing::make_position(2001, mes, signed_size); }

working_order leg(px::order_id id, int type, int side, int size) {
  working_order w;
  w.id = id;
  w.contract = mes;
  w.type = type;
  w.side = side;
  w.size = size;
  return w;
}

} // namespace

TEST_CASE("follower book: a fill counts once whichever of response, order event and trade comes first",
          "[follower_book]") {
  for (int order = 0; order < 3; ++order) {
    follower_book book(2001, 750ms);
    book.sent_place("ct-1-2001", mes, 3, t0);
    CHECK(book.expected(mes) == 3); // in flight
    if (order == 0) {               // response, then events
      book.placed("ct-1-2001", 77, t0);
      book.on_order(order_event(77, px::order_status::filled, 3, 3, "ct-1-2001"), t0);
      book.on_trade(fill(1, 77, 3), t0);
    } else if (order == 1) { // trade before the response names the order
      book.on_trade(fill(1, 77, 3), t0);
      CHECK(book.expected(mes) == 6); // not yet known to be the same fill: the response settles it
      book.placed("ct-1-2001", 77, t0);
    } else { // the order event names it by its tag before the response
      book.on_order(order_event(77, px::order_status::filled, 3, 3, "ct-1-2001"), t0);
      book.on_trade(fill(1, 77, 3), t0);
      book.placed("ct-1-2001", 77, t0);
    }
    book.on_position(position_of(3), t0);
    CHECK(book.expected(mes) == 3);
    CHECK(book.confirmed(mes) == 3);
    CHECK(book.quiet(mes));
    book.on_trade(fill(1, 77, 3), t0); // a duplicate trade changes nothing
    CHECK(book.expected(mes) == 3);
  }
}

TEST_CASE("follower book: a partly filled then cancelled order leaves only its fills", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("ct-2-2001", mes, 5, t0);
  book.placed("ct-2-2001", 80, t0);
  book.on_trade(fill(10, 80, 2), t0);
  book.on_order(order_event(80, px::order_status::cancelled, 5, 2), t0);
  CHECK(book.expected(mes) == 2);
  CHECK(book.quiet(mes));
}

TEST_CASE("follower book: a close makes the contract expected flat until its trades arrive", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 2), t0);
  book.sent_close(mes, t0);
  CHECK(book.expected(mes) == 0);
  CHECK_FALSE(book.quiet(mes));
  book.sent_place("ct-3-2001", mes, -1, t0); // a reversal's new entry after the close
  CHECK(book.expected(mes) == -1);
  book.on_trade(fill(2, 6, -2), t0); // the close's fill
  CHECK(book.quiet(mes) == false);   // the entry is still in flight
  book.placed("ct-3-2001", 7, t0);
  book.on_trade(fill(3, 7, -1), t0);
  CHECK(book.expected(mes) == -1);
  CHECK(book.quiet(mes));
}

TEST_CASE("follower book: a refused place is forgotten; a silent confirmed one asks for a read", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("ct-4-2001", mes, 1, t0);
  book.place_failed("ct-4-2001");
  CHECK(book.expected(mes) == 0);
  book.sent_place("ct-5-2001", mes, 1, t0);
  book.placed("ct-5-2001", 90, t0);
  book.poll(t0 + 1s);
  CHECK_FALSE(book.take_events_missing());
  book.poll(t0 + 6s);
  CHECK(book.take_events_missing());
  CHECK(book.expected(mes) == 1); // still counted: dropping it could send the fill twice
  CHECK(book.quiet(mes));         // but the read may replace it
  book.reset_from({position_of(1)}, {}, t0 + 6s);
  CHECK(book.expected(mes) == 1);
  CHECK(book.confirmed(mes) == 1);
}

TEST_CASE("follower book: a fill whose trade was lost stays counted until the account is read", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("ct-7-2001", mes, 3, t0);
  book.placed("ct-7-2001", 95, t0);
  book.on_order(order_event(95, px::order_status::filled, 3, 3, "ct-7-2001"), t0); // the trade never comes
  book.poll(t0 + 1s);
  CHECK(book.expected(mes) == 3); // no second order for the same fill
  CHECK(book.take_events_missing());
  book.poll(t0 + 1500ms);
  CHECK_FALSE(book.take_events_missing()); // asked again only after a pause
  book.reset_from({position_of(3)}, {}, t0 + 2s);
  CHECK(book.expected(mes) == 3);
  CHECK(book.confirmed(mes) == 3);
  CHECK(book.in_flight(mes) == 0);
}

TEST_CASE("follower book: legs are working stop and limit orders; a leg stays known after it fills",
          "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_order(
      order_event(100, px::order_status::suspended, 1, 0, "ct-1-2001-SL", px::order_type::stop, px::side::ask), t0);
  CHECK(book.arming(mes));
  CHECK(book.legs(mes).empty());
  book.on_order(order_event(100, px::order_status::open, 1, 0, "ct-1-2001-SL", px::order_type::stop, px::side::ask),
                t0);
  CHECK_FALSE(book.arming(mes));
  REQUIRE(book.legs(mes).size() == 1);
  book.on_order(order_event(100, px::order_status::filled, 1, 1, "ct-1-2001-SL", px::order_type::stop, px::side::ask),
                t0);
  CHECK(book.legs(mes).empty());
  CHECK(book.is_leg(100));
}

TEST_CASE("follower book: a leg whose order event said filled keeps the legs check waiting until its trade (D6)",
          "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 1), t0); // long 1, protected by stop 100
  book.on_order(order_event(100, px::order_status::open, 1, 0, "ct-1-2001-SL", px::order_type::stop, px::side::ask),
                t0);
  CHECK_FALSE(book.leg_fill_pending(mes));
  // The stop fills: its order event first. The position still reads 1 and no stop works: without the
  // wait, plan_leg_fixes would place a new stop for a position that is already closed.
  book.on_order(order_event(100, px::order_status::filled, 1, 1, "ct-1-2001-SL", px::order_type::stop, px::side::ask),
                t0);
  CHECK(book.confirmed(mes) == 1);
  CHECK(book.legs(mes).empty());
  CHECK(book.leg_fill_pending(mes));
  book.on_trade(fill(2, 100, -1), t0 + 5ms);
  CHECK_FALSE(book.leg_fill_pending(mes));
  CHECK(book.confirmed(mes) == 0);

  // The trade first, then the order event: nothing to wait for.
  book.on_trade(fill(3, 6, 1), t0 + 10ms);
  book.on_trade(fill(4, 101, -1), t0 + 20ms);
  book.on_order(order_event(101, px::order_status::filled, 1, 1, "ct-3-2001-SL", px::order_type::stop, px::side::ask),
                t0 + 20ms);
  CHECK_FALSE(book.leg_fill_pending(mes));

  // A trade that never comes: the account's read ends the wait.
  book.on_trade(fill(5, 7, 1), t0 + 30ms);
  book.on_order(order_event(102, px::order_status::filled, 1, 1, "ct-5-2001-SL", px::order_type::stop, px::side::ask),
                t0 + 30ms);
  CHECK(book.leg_fill_pending(mes));
  book.reset_from({}, {}, t0 + 2s);
  CHECK_FALSE(book.leg_fill_pending(mes));
}

TEST_CASE("follower book: reconciliation replaces quiet contracts only", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 2), t0);
  book.reset_from({position_of(4)}, {}, t0);
  CHECK(book.confirmed(mes) == 4);
  book.sent_place("ct-6-2001", mes, 1, t0);
  book.reset_from({}, {}, t0); // an order in flight: the answer may predate it
  CHECK(book.confirmed(mes) == 4);
}

TEST_CASE("leg plan: legs fit the position, on the closing side; flat cancels all", "[leg_plan]") {
  const int sell = px::side::ask;
  const int buy = px::side::bid;
  const std::vector<working_order> two_entries{
      leg(1, px::order_type::stop, sell, 2), leg(2, px::order_type::limit, sell, 2),
      leg(3, px::order_type::stop, sell, 2), leg(4, px::order_type::limit, sell, 2)};
  CHECK(plan_leg_fixes(4, two_entries, true, true).empty());
  // Scale-out to 1: the newest legs go first.
  CHECK(plan_leg_fixes(1, two_entries, true, true) == std::vector<leg_fix>{{leg_fix_kind::cancel, 3, 0},
                                                                           {leg_fix_kind::resize, 1, 1},
                                                                           {leg_fix_kind::cancel, 4, 0},
                                                                           {leg_fix_kind::resize, 2, 1}});
  CHECK(plan_leg_fixes(0, two_entries, true, true).size() == 4);
  // After a reversal to short the old sell legs would add to the short.
  const auto reversed = plan_leg_fixes(-2,
                                       {leg(1, px::order_type::stop, sell, 2), leg(5, px::order_type::stop, buy, 2),
                                        leg(6, px::order_type::limit, buy, 2)},
                                       true, true);
  CHECK(reversed == std::vector<leg_fix>{{leg_fix_kind::cancel, 1, 0}});
  // A position without legs (a venue that skipped them) gets protection.
  CHECK(plan_leg_fixes(3, {}, true, true) ==
        std::vector<leg_fix>{{leg_fix_kind::add_stop, 0, 3}, {leg_fix_kind::add_target, 0, 3}});
  CHECK(plan_leg_fixes(3, {}, false, false).empty()); // bracket: none
}

TEST_CASE("after a close, one leg of each bracket pair is cancelled at once, the stop; unpaired legs all",
          "[legs][budget]") {
  auto child = [](px::order_id id, int type, px::order_id parent) {
    auto w = leg(id, type, px::side::ask, 1);
    w.parent = parent;
    return w;
  };
  // Two entries' pairs (targets listed first), and a stop the daemon placed on its own.
  const std::vector<working_order> legs{child(11, px::order_type::limit, 10), child(12, px::order_type::stop, 10),
                                        child(21, px::order_type::limit, 20), child(22, px::order_type::stop, 20),
                                        leg(30, px::order_type::stop, px::side::ask, 2)};
  CHECK(leftover_cancels(legs) == std::vector<px::order_id>{30, 12, 22});
  // A pair whose stop already went: its target.
  CHECK(leftover_cancels({child(11, px::order_type::limit, 10)}) == std::vector<px::order_id>{11});
  CHECK(leftover_cancels({}).empty());
}

TEST_CASE("capped target: an episode the follower may not add to", "[planner][cap]") {
  CHECK(capped_target(5, std::nullopt) == 5);
  CHECK(capped_target(5, 2) == 2);  // held at what it has
  CHECK(capped_target(1, 2) == 1);  // reductions pass
  CHECK(capped_target(-3, 2) == 0); // a reversal only flattens
  CHECK(capped_target(-3, -1) == -1);
  CHECK(capped_target(4, 0) == 0); // sits the episode out
  CHECK(capped_target(0, 2) == 0);
}

TEST_CASE("leader legs: pending until armed, the newest armed prices, drags reported", "[leader_legs]") {
  leader_legs legs(1001);
  px::order sl;
  sl.id = 11;
  sl.account_id = 1001;
  sl.contract_id = mes;
  sl.type = px::order_type::stop;
  sl.status = px::order_status::suspended;
  sl.parent_order_id = 10;
  CHECK_FALSE(legs.on_order(sl));
  CHECK(legs.pending(10));
  sl.status = px::order_status::open;
  sl.stop_price = 6496;
  CHECK_FALSE(legs.on_order(sl)); // armed, not moved
  CHECK_FALSE(legs.pending(10));
  CHECK(legs.prices(mes).stop == 6496);
  sl.stop_price = 6498;
  CHECK(legs.on_order(sl)); // dragged
  CHECK(legs.prices(mes).stop == 6498);
  sl.status = px::order_status::cancelled;
  legs.on_order(sl);
  CHECK_FALSE(legs.prices(mes).stop);
  px::order other = sl;
  other.account_id = 2001; // not the leader's
  other.status = px::order_status::open;
  CHECK_FALSE(legs.on_order(other));
  CHECK_FALSE(legs.prices(mes).stop);
}

TEST_CASE("follower book: a close whose fill never shows keeps the contract flat until the account is read",
          "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 2), t0);
  book.sent_close(mes, t0);
  book.poll(t0 + 3s);             // its trades were lost
  CHECK(book.expected(mes) == 0); // no second close, no re-entry
  CHECK(book.take_events_missing());
  book.reset_from({}, {}, t0 + 3s);
  CHECK_FALSE(book.closing(mes));
  CHECK(book.expected(mes) == 0);
  CHECK(book.quiet(mes));
}

TEST_CASE("follower book: a close that never executes does not hide the fills of later orders", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("a", mes, -1, t0);
  book.placed("a", 10, t0);
  book.on_trade(fill(1, 10, -1), t0);
  REQUIRE(book.expected(mes) == -1);
  book.sent_close(mes, t0); // refused before the venue acted (a 401): its trade never comes
  CHECK(book.expected(mes) == 0);
  // The leader goes short 3: the planner sends -3, which fills. Counting the close as "flat" would
  // make this 0 again, and the planner would send -3 for ever.
  book.sent_place("b", mes, -3, t0 + 10ms);
  book.placed("b", 11, t0 + 10ms);
  book.on_trade(fill(2, 11, -3), t0 + 10ms);
  CHECK(book.expected(mes) == -3);
  CHECK(book.confirmed(mes) == -4);
}

TEST_CASE("follower book: the close's own trade completes it", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("a", mes, 2, t0);
  book.placed("a", 10, t0);
  book.on_trade(fill(1, 10, 2), t0);
  book.sent_close(mes, t0);
  CHECK(book.closing(mes));
  CHECK(book.expected(mes) == 0);
  book.on_trade(fill(2, 99, -2), t0 + 5ms); // the venue's order for the close: unknown to the book
  CHECK(book.expected(mes) == 0);
  CHECK(book.confirmed(mes) == 0);
  CHECK_FALSE(book.closing(mes));
}

TEST_CASE("follower book: an order accepted and then rejected is reported once, whichever came first",
          "[follower_book][B13]") {
  SECTION("the response, then the rejection event") {
    follower_book book(2001, 250ms);
    book.sent_place("T1", mes, 2, t0);
    book.placed("T1", 77, t0);
    CHECK(book.take_rejections().empty());
    book.on_order(order_event(77, px::order_status::rejected, 2, 0, "T1"), t0 + 1ms);
    const auto r = book.take_rejections();
    REQUIRE(r.size() == 1);
    CHECK(r[0].tag == "T1");
    CHECK(r[0].id == 77);
    CHECK(book.expected(mes) == 0);                                                   // nothing of it will fill
    book.on_order(order_event(77, px::order_status::rejected, 2, 0, "T1"), t0 + 2ms); // repeated
    CHECK(book.take_rejections().empty());
  }
  SECTION("the rejection event, then the response") {
    follower_book book(2001, 250ms);
    book.sent_place("T1", mes, 2, t0);
    book.on_order(order_event(77, px::order_status::rejected, 2, 0, "T1"), t0);
    CHECK(book.take_rejections().empty()); // the response may still refuse it: not yet a rejection
    book.placed("T1", 77, t0 + 1ms);
    const auto r = book.take_rejections();
    REQUIRE(r.size() == 1);
    CHECK(r[0].contract == mes);
  }
  SECTION("refused at the place (the id kept with status 5): a refusal, not a rejection after acceptance") {
    follower_book book(2001, 250ms);
    book.sent_place("T1", mes, 2, t0);
    book.on_order(order_event(77, px::order_status::rejected, 2, 0, "T1"), t0);
    book.place_failed("T1");
    book.placed("T1", 77, t0 + 1ms); // nothing left to confirm
    CHECK(book.take_rejections().empty());
  }
}

TEST_CASE("follower book: a close sent while its entry is in flight closes that entry too; no second close",
          "[follower_book]") {
  // The leader enters and exits within milliseconds (seen with 50 followers on one login): the
  // follower's close goes out before its entry's trade has arrived.
  follower_book book(2001, 750ms);
  book.sent_place("ct-1-2001", mes, 1, t0);
  book.placed("ct-1-2001", 10, t0);
  REQUIRE(book.expected(mes) == 1);
  book.sent_close(mes, t0 + 1ms);
  CHECK(book.expected(mes) == 0); // the close takes what the venue holds, the entry included
  // The hub reports trades in the venue's order: the entry filled before the close.
  book.on_trade(fill(1, 10, 1), t0 + 2ms);
  CHECK(book.expected(mes) == 0);           // before: 1, and the planner closed again (refused: error code 2)
  book.on_trade(fill(2, 99, -1), t0 + 3ms); // the close's own order, unknown to the book
  CHECK(book.expected(mes) == 0);
  CHECK(book.confirmed(mes) == 0);
  CHECK_FALSE(book.closing(mes));
}

TEST_CASE("follower book: a close the venue carried out before the entry filled leaves that entry to close",
          "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 1), t0); // holds 1
  book.sent_place("ct-2-2001", mes, 1, t0);
  book.placed("ct-2-2001", 11, t0);
  book.sent_close(mes, t0 + 1ms);
  CHECK(book.expected(mes) == 0);
  book.on_trade(fill(2, 99, -1), t0 + 2ms); // the close's trade first: it closed the 1 held
  book.on_trade(fill(3, 11, 1), t0 + 3ms);  // then the entry filled: a position the close did not see
  CHECK(book.expected(mes) == 1);           // so the planner closes it
  CHECK(book.confirmed(mes) == 1);
}

TEST_CASE("follower book: while a close is pending, a place sent after it counts in full", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("ct-3-2001", mes, 2, t0);
  book.placed("ct-3-2001", 12, t0);
  book.sent_close(mes, t0 + 1ms);
  book.sent_place("ct-4-2001", mes, -1, t0 + 2ms); // a reversal's entry
  book.placed("ct-4-2001", 13, t0 + 2ms);
  CHECK(book.expected(mes) == -1);
  book.on_trade(fill(1, 12, 2), t0 + 3ms); // the first entry, closed by the close
  CHECK(book.expected(mes) == -1);
  book.on_trade(fill(2, 99, -2), t0 + 4ms); // the close's trade
  CHECK(book.expected(mes) == -1);
  book.on_trade(fill(3, 13, -1), t0 + 5ms); // the reversal's fill
  CHECK(book.expected(mes) == -1);
  CHECK(book.confirmed(mes) == -1);
}

TEST_CASE("follower book: a second close sent before the first one's trade leaves each close its own trade",
          "[follower_book]") {
  // 50 followers on 5 logins (make bench): the hub ran 20 ms behind REST, so the follower closed, entered
  // again and closed again before the first close's trade arrived. That trade was taken for the second
  // close's; the book then counted the second entry as held and closed a third time (refused: error
  // code 2), and the reconciliation held the next entry a second.
  follower_book book(2001, 750ms);
  book.sent_place("ct-1-2001", mes, 1, t0);
  book.placed("ct-1-2001", 10, t0);
  book.sent_close(mes, t0 + 1ms); // close A, its entry in flight
  book.on_trade(fill(1, 10, 1), t0 + 2ms);
  CHECK(book.expected(mes) == 0);
  book.sent_place("ct-2-2001", mes, 1, t0 + 3ms); // the leader entered again
  book.placed("ct-2-2001", 11, t0 + 3ms);
  CHECK(book.expected(mes) == 1);
  book.sent_close(mes, t0 + 4ms); // close B, while A's trade is still on its way
  CHECK(book.expected(mes) == 0);
  book.on_trade(fill(2, 98, -1), t0 + 5ms); // A's trade
  CHECK(book.expected(mes) == 0);           // before: 1, B taken as done with its entry still owed
  CHECK(book.closing(mes));
  book.on_trade(fill(3, 11, 1), t0 + 6ms); // the second entry, which B closed
  CHECK(book.expected(mes) == 0);
  book.on_trade(fill(4, 99, -1), t0 + 7ms); // B's trade
  CHECK(book.expected(mes) == 0);
  CHECK(book.confirmed(mes) == 0);
  CHECK_FALSE(book.closing(mes));
}

TEST_CASE("follower book: a close filled in parts is not done until the position is flat", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 3), t0); // holds 3
  book.sent_close(mes, t0 + 1ms);
  book.on_trade(fill(2, 99, -2), t0 + 2ms); // the venue fills the close at two prices
  CHECK(book.expected(mes) == 0);           // not 1: the close is still taking the rest
  book.on_trade(fill(3, 99, -1), t0 + 3ms);
  CHECK(book.expected(mes) == 0);
  CHECK(book.confirmed(mes) == 0);
  CHECK_FALSE(book.closing(mes));
}

TEST_CASE("follower book: a refused second close leaves the first one pending", "[follower_book]") {
  follower_book book(2001, 750ms);
  book.sent_place("ct-1-2001", mes, 1, t0);
  book.placed("ct-1-2001", 10, t0);
  book.sent_close(mes, t0 + 1ms); // close A
  book.sent_place("ct-2-2001", mes, 1, t0 + 2ms);
  book.placed("ct-2-2001", 11, t0 + 2ms);
  const auto b = book.sent_close(mes, t0 + 3ms); // close B, refused
  book.close_failed(mes, b);
  CHECK(book.closing(mes));
  CHECK(book.expected(mes) == 1); // A is flat as of A; the entry after it is still held
  book.on_trade(fill(1, 10, 1), t0 + 4ms);
  book.on_trade(fill(2, 98, -1), t0 + 5ms); // A's trade
  book.on_trade(fill(3, 11, 1), t0 + 6ms);
  CHECK(book.expected(mes) == 1);
  CHECK(book.confirmed(mes) == 1);
}

TEST_CASE(
    "follower book: a place's trade that came before its order was named is still that place's, not the "
    "close's",
    "[follower_book]") {
  follower_book book(2001, 750ms);
  book.on_trade(fill(1, 5, 2), t0);                // holds 2
  book.sent_place("ct-9-2001", mes, -1, t0 + 1ms); // a partial exit whose answer never came
  book.sent_close(mes, t0 + 2ms);
  book.on_trade(fill(2, 12, -1), t0 + 3ms); // the partial exit's trade: its order not yet known
  auto filled = order_event(12, px::order_status::filled, 1, 1, "ct-9-2001");
  filled.side = px::side::ask;
  book.on_order(filled, t0 + 4ms);          // names the order: the fill above was the place's
  book.on_trade(fill(3, 99, -1), t0 + 5ms); // the close's trade
  CHECK(book.confirmed(mes) == 0);
  CHECK(book.in_flight(mes) == 0);
  CHECK(book.expected(mes) == 0); // before: -1, the place still owed its fill
  CHECK_FALSE(book.closing(mes));
}
