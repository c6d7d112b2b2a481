#include "copy/contract_routes.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::copy;

namespace {

projectx::contract listed(std::string id, std::string name, bool active = true) {
  projectx::contract c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.active = active;
  return c;
}

} // namespace

TEST_CASE("routes: one contract for all, a map by id, or the leader's own", "[routes][mapping]") {
  follower_config f;
  const std::string mes = "CON.F.US.MES.U26";
  const std::string mnq = "CON.F.US.MNQ.U26";
  CHECK(contract_routes(f).follower_contract(mes) == &mes); // the leader's own, not a copy of it
  f.contract_id = "CON.F.US.EP.U26";
  contract_routes fixed(f);
  REQUIRE(fixed.follower_contract(mnq) != nullptr);
  CHECK(*fixed.follower_contract(mnq) == "CON.F.US.EP.U26");
  REQUIRE(fixed.fixed_contract() != nullptr);
  f.contract_id.clear();
  f.contract_map = {{mes, "CON.F.US.EP.U26"}};
  contract_routes by_id(f);
  REQUIRE(by_id.follower_contract(mes) != nullptr);
  CHECK(*by_id.follower_contract(mes) == "CON.F.US.EP.U26");
  CHECK(by_id.follower_contract(mnq) == nullptr); // not mapped: not copied
  CHECK(by_id.fixed_contract() == nullptr);
  CHECK(by_id.unresolved_symbols().empty());
}

TEST_CASE("routes by symbol: nothing is routed until the venue names both products", "[routes]") {
  follower_config f;
  f.contract_map = {{"MES", "ES"}};
  contract_routes routes(f);
  const std::string mes_z = "CON.F.US.MES.Z26";
  CHECK(routes.by_symbol());
  CHECK(routes.unresolved_symbols() == std::vector<std::string>{"MES", "ES"}); // leader side first
  CHECK(routes.follower_contract(mes_z) == nullptr);
  routes.learn_product("MES", "MES");
  CHECK(routes.follower_contract(mes_z) == nullptr); // ES still unknown
  routes.learn_product("ES", "EP");                  // the product code is not the ticker
  CHECK(routes.unresolved_symbols().empty());
  REQUIRE(routes.follower_contract(mes_z) != nullptr);
  CHECK(*routes.follower_contract(mes_z) == "CON.F.US.EP.Z26");
  CHECK(routes.symbol_pair_of(mes_z) == "MES: ES");
}

TEST_CASE("routes by symbol follow the leader's month across the roll, and keep the old one", "[routes]") {
  follower_config f;
  f.contract_map = {{"MES", "ES"}, {"MNQ", "NQ"}};
  contract_routes routes(f);
  routes.learn_product("MES", "MES");
  routes.learn_product("ES", "EP");
  routes.learn_product("MNQ", "MNQ");
  routes.learn_product("NQ", "ENQ");
  const std::string z26 = "CON.F.US.MES.Z26", h27 = "CON.F.US.MES.H27", nq = "CON.F.US.MNQ.Z26";
  CHECK(*routes.follower_contract(z26) == "CON.F.US.EP.Z26");
  CHECK(*routes.follower_contract(h27) == "CON.F.US.EP.H27"); // the roll: no reload
  CHECK(*routes.follower_contract(z26) == "CON.F.US.EP.Z26"); // a position carried over still lands home
  CHECK(*routes.follower_contract(nq) == "CON.F.US.ENQ.Z26");
  CHECK(routes.derived() == std::vector<std::string>{"CON.F.US.EP.Z26", "CON.F.US.EP.H27", "CON.F.US.ENQ.Z26"});
  const std::string m2k = "CON.F.US.M2K.Z26";
  CHECK(routes.follower_contract(m2k) == nullptr);            // another product: not mapped
  CHECK(routes.follower_contract("CON.F.US.MES") == nullptr); // an id of another shape carries no month
}

TEST_CASE("routes by symbol: a month the venue does not list is refused, the others stay", "[routes]") {
  follower_config f;
  f.contract_map = {{"MCL", "ES"}}; // a monthly product onto a quarterly one
  contract_routes routes(f);
  routes.learn_product("MCL", "MCLE");
  routes.learn_product("ES", "EP");
  const std::string f27 = "CON.F.US.MCLE.F27", h27 = "CON.F.US.MCLE.H27";
  REQUIRE(routes.follower_contract(f27) != nullptr);
  routes.refuse("CON.F.US.EP.F27");
  CHECK(routes.follower_contract(f27) == nullptr);
  CHECK(*routes.follower_contract(h27) == "CON.F.US.EP.H27");
}

TEST_CASE("symbols and ids: what a map key may be, and the active contract of a symbol", "[routes]") {
  CHECK(is_symbol("MES"));
  CHECK(is_symbol("M2K"));
  CHECK_FALSE(is_symbol("mes"));
  CHECK_FALSE(is_symbol("2K"));
  CHECK_FALSE(is_symbol("CON.F.US.EP.Z26"));
  CHECK_FALSE(is_symbol(""));
  const auto parts = split_contract_id("CON.F.US.ENQ.H27");
  REQUIRE(parts);
  CHECK(parts->prefix == "CON.F.US.");
  CHECK(parts->product == "ENQ");
  CHECK(parts->month == "H27");
  CHECK_FALSE(split_contract_id("CON.F.US.ENQ.27"));
  CHECK(symbol_of("MESZ6") == "MES");
  CHECK(symbol_of("ENQH25") == "ENQ");
  CHECK(symbol_of("NQU6") == "NQ");
  CHECK(symbol_of("Z6").empty());
  CHECK(symbol_of("E-mini").empty());
  CHECK_FALSE(split_contract_id("F.US.ENQ.H27"));
  // The search is fuzzy: "ES" also finds MES and others; only the name ES + a month counts, and
  // only an active one (the expired month is listed by id searches, not chosen).
  const std::vector<projectx::contract> found = {
      listed("CON.F.US.MES.Z26", "MESZ6"), listed("CON.F.US.EP.U26", "ESU6", false), listed("CON.F.US.EP.Z26", "ESZ6"),
      listed("CON.F.US.ESX.Z26", "ESXZ6")};
  const auto* es = active_contract_of("ES", found);
  REQUIRE(es != nullptr);
  CHECK(es->id == "CON.F.US.EP.Z26");
  CHECK(active_contract_of("NQ", found) == nullptr);
}
