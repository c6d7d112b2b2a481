// The account guard's configuration: profiles and per-follower overrides, units and ranges named by
// key, the hedging rule for inverted followers, and a stop on every guarded entry.

#include "config/config_loader.hpp"
#include "support/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace date::literals;
using Catch::Matchers::Contains;

namespace {

constexpr std::string_view profiles = R"(risk:
  profiles:
    topstep-50k-combine:
      program: combine
      start_balance_usd: 50000
      max_loss_usd: 2000
      daily_loss_limit_usd: 1000
      max_contracts: 5
      fee_per_fill_usd: 0.37
      session:
        last_entry: "15:00"
        early_closes: {"2026-11-27": "12:15"}
      blackouts:
        - {start: "2026-12-10 07:25", end: "2026-12-10 07:35", products: [ES, NQ]}
)";

// The minimal configuration with the profiles above and these lines added to follower "b".
std::string with_risk(std::string_view follower_lines, std::string_view top = profiles) {
  return std::string(top) + replace_once(std::string(minimal_config), "    account_id: 2002\n",
                                         "    account_id: 2002\n" + std::string(follower_lines));
}

} // namespace

TEST_CASE("risk: a follower takes its profile and overrides key by key", "[config][risk]") {
  config_fixture fx;
  auto cfg =
      fx.load(with_risk("    risk:\n      profile: topstep-50k-combine\n      max_contracts: 3\n"
                        "      daily_loss_action: close_only\n"));
  INFO((cfg ? std::string() : cfg.error().to_string()));
  REQUIRE(cfg);
  CHECK_FALSE(cfg->followers[0].risk);
  REQUIRE(cfg->followers[1].risk);
  const risk_limits& l = *cfg->followers[1].risk;
  CHECK(l.profile == "topstep-50k-combine");
  CHECK(l.loss.program == guard::account_program::combine);
  CHECK(l.loss.start_balance == 50'000);
  CHECK(l.loss.max_loss == 2'000);
  CHECK(l.daily_loss_limit_usd == 1'000);
  CHECK(l.max_contracts == 3); // overridden
  CHECK(l.on_daily_loss == daily_loss_action::close_only);
  CHECK(l.cost.fee_per_fill == 0.37);
  CHECK(l.micro_weight == 0.1);
  CHECK(l.session.time_zone == "America/Chicago");
  CHECK(l.session.last_entry == std::chrono::minutes(15 * 60));
  CHECK(l.session.flatten_at == std::chrono::minutes(15 * 60 + 8));
  CHECK(l.session.early_closes.at(2026_y / 11 / 27) == std::chrono::minutes(12 * 60 + 15));
  REQUIRE(l.blackouts.size() == 1);
  CHECK(l.blackouts[0].products == std::vector<std::string>{"ES", "NQ"});
  CHECK(cfg->risk.product_groups.size() == 6);
}

TEST_CASE("risk: an unknown profile, a negative amount, a bad time or zone is named by its key", "[config][risk]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_risk("    risk:\n      profile: topstep-50k\n")),
             Contains("followers[1].risk.profile: no profile 'topstep-50k' under risk.profiles"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      max_loss_usd: -5\n")),
             Contains("followers[1].risk.max_loss_usd: must not be negative (US dollars)"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      session: {last_entry: \"3pm\"}\n")),
             Contains("followers[1].risk.session.last_entry: '3pm' is not a time of day HH:MM"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      session: {time_zone: Chicago}\n")),
             Contains("followers[1].risk.session.time_zone: unknown time zone 'Chicago'"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      session: {last_entry: \"15:09\"}\n")),
             Contains("followers[1].risk.session.last_entry: must not be after session.flatten_at"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      micro_weight: 0\n")),
             Contains("followers[1].risk.micro_weight: must be above 0 and at most 1"));
  CHECK_THAT(
      fx.errors(with_risk("    risk:\n      blackouts: [{start: \"2026-12-10 07:35\", end: \"2026-12-10 07:25\"}]\n")),
      Contains("followers[1].risk.blackouts[0].end: must be after start"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      max_loss: 2000\n")), Contains("followers[1].risk.max_loss"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      max_loss_usd: 2000\n")),
             Contains("followers[1].risk.start_balance_usd: a combine's floor needs its start balance"));
  CHECK_THAT(fx.errors(with_risk("    risk:\n      profile: topstep-50k-combine\n      mll_flatten_buffer_usd: 100\n")),
             Contains("followers[1].risk.mll_flatten_buffer_usd: must be below mll_entry_buffer_usd"));
}

TEST_CASE("risk: an inverted follower is refused unless hedging is allowed for it", "[config][risk][G7]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_risk("    invert: true\n")),
             Contains("followers[1].invert: an inverted follower holds the opposite of the leader: cross-account "
                      "hedging"));
  CHECK(fx.load(with_risk("    invert: true\n    allow_hedge: true\n")));
  CHECK(fx.load(with_risk("    invert: true\n    risk: {program: practice}\n")));
}

TEST_CASE("risk: loss limits need a stop on every entry", "[config][risk]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_risk("    bracket: none\n    risk: {profile: topstep-50k-combine}\n")),
             Contains("followers[1].bracket: none leaves entries without a stop"));
  CHECK(fx.load(with_risk("    bracket: none\n    risk: {max_contracts: 2}\n")));
}

TEST_CASE("risk: product groups replace the defaults; a product in two groups is refused", "[config][risk]") {
  config_fixture fx;
  auto cfg = fx.load(with_risk("", "risk:\n  product_groups:\n    - {name: ES, minis: [EP], micros: [MES]}\n"));
  REQUIRE(cfg);
  CHECK(cfg->risk.product_groups.size() == 1);
  CHECK_THAT(fx.errors(with_risk("",
                                 "risk:\n  product_groups:\n    - {name: ES, minis: [EP], micros: [MES]}\n"
                                 "    - {name: X, micros: [MES]}\n")),
             Contains("product 'MES' is in two groups"));
}
