// The user hub's connection phases and subscriptions, step by step: "connected" is announced once
// per connection, after the handshake's subscriptions complete, and never by one added while live.

#include "projectx/hub_subscriptions.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::projectx;

namespace {

std::vector<hub_subscription> account_subscriptions(account_number account) {
  return {{"SubscribeOrders", account}, {"SubscribePositions", account}, {"SubscribeTrades", account}};
}

} // namespace

TEST_CASE("hub: live after the handshake's subscriptions complete, announced once", "[hub][subscriptions]") {
  hub_subscriptions subs(account_subscriptions(1001));
  subs.connection_started();
  CHECK(subs.phase() == hub_phase::handshaking);
  const auto step = subs.handshake_completed();
  CHECK(step.invoke.size() == 3);
  CHECK_FALSE(step.announce);
  CHECK(subs.phase() == hub_phase::subscribing);
  CHECK_FALSE(subs.completed());
  CHECK_FALSE(subs.completed());
  CHECK(subs.completed()); // the third: live, announce
  CHECK(subs.phase() == hub_phase::live);
  CHECK_FALSE(subs.completed()); // a stray completion announces nothing
}

TEST_CASE("hub: with nothing to subscribe, live at the handshake", "[hub][subscriptions]") {
  hub_subscriptions subs;
  subs.connection_started();
  const auto step = subs.handshake_completed();
  CHECK(step.invoke.empty());
  CHECK(step.announce);
  CHECK(subs.phase() == hub_phase::live);
}

TEST_CASE("hub: a subscription added while live is invoked at once and announces nothing", "[hub][subscriptions]") {
  hub_subscriptions subs(account_subscriptions(1001));
  subs.connection_started();
  subs.handshake_completed();
  for (int i = 0; i < 2; ++i) subs.completed();
  REQUIRE(subs.completed());
  for (auto& s : account_subscriptions(2001)) CHECK(subs.add(s)); // a follower added by a reload
  CHECK(subs.awaiting() == 3);
  CHECK_FALSE(subs.completed());
  CHECK_FALSE(subs.completed());
  CHECK_FALSE(subs.completed()); // no second "connected", so no "hub reconnect" reconciliation
  CHECK(subs.phase() == hub_phase::live);
  CHECK(subs.size() == 6);
}

TEST_CASE("hub: added while handshaking waits for the handshake; while subscribing it gates live",
          "[hub][subscriptions]") {
  hub_subscriptions subs(account_subscriptions(1001));
  subs.connection_started();
  CHECK_FALSE(subs.add({"SubscribeOrders", 2001})); // the handshake will invoke it
  auto step = subs.handshake_completed();
  CHECK(step.invoke.size() == 4);
  CHECK(subs.add({"SubscribePositions", 2001})); // in flight with the others
  for (int i = 0; i < 4; ++i) CHECK_FALSE(subs.completed());
  CHECK(subs.completed()); // the fifth: every subscription is confirmed
}

TEST_CASE("hub: after a drop every subscription is invoked again and live is announced again", "[hub][subscriptions]") {
  hub_subscriptions subs(account_subscriptions(1001));
  subs.connection_started();
  subs.handshake_completed();
  for (int i = 0; i < 3; ++i) subs.completed();
  subs.add({"SubscribeOrders", 2001});
  subs.connection_started(); // dropped, reconnecting
  CHECK(subs.phase() == hub_phase::handshaking);
  CHECK_FALSE(subs.add({"SubscribeTrades", 2001})); // not sent on a connection that is not there
  const auto step = subs.handshake_completed();
  CHECK(step.invoke.size() == 5);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(subs.completed());
  CHECK(subs.completed()); // the reconnect is announced: the engine reconciles the gap
}
