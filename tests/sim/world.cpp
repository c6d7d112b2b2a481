#include "sim/world.hpp"

#include "projectx/json_reader.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <iterator>

namespace copytrader::sim {
namespace json = boost::json;

std::vector<contract_record> builtin_contracts() {
  auto make = [](std::string id, std::string name, std::string description, double tick, double value,
                 std::string symbol, double price, bool active = true) {
    return contract_record{
        px::contract{std::move(id), std::move(name), std::move(description), tick, value, active, std::move(symbol)},
        price};
  };
  return {
      make("CON.F.US.EP.U26", "ESU6", "E-mini S&P 500", 0.25, 12.5, "F.US.EP", 6500.00),
      make("CON.F.US.MES.U26", "MESU6", "Micro E-mini S&P 500", 0.25, 1.25, "F.US.MES", 6500.00),
      make("CON.F.US.ENQ.U26", "NQU6", "E-mini Nasdaq-100", 0.25, 5.0, "F.US.ENQ", 23500.00),
      make("CON.F.US.MNQ.U26", "MNQU6", "Micro E-mini Nasdaq-100", 0.25, 0.5, "F.US.MNQ", 23500.00),
      make("CON.F.US.MES.M26", "MESM6", "Micro E-mini S&P 500 (expired)", 0.25, 1.25, "F.US.MES", 6400.00, false),
  };
}

outcome<void> load_world(const std::filesystem::path& file, ledger& into) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return failure{"cannot read " + file.string()};
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return failure{file.string() + ": not a JSON object"};
  const json::object& o = root.as_object();

  auto list = [&](std::string_view key) -> const json::array* {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
  };
  if (const auto* users = list("users")) {
    for (const auto& u : *users) {
      if (!u.is_object()) return failure{"users: expected objects"};
      px::json_reader r(u.as_object(), "user");
      user_record record;
      r.required("username", record.username);
      r.required("api_key", record.api_key);
      if (!r.ok()) return *r.error();
      into.add_user(std::move(record));
    }
  }
  if (const auto* accounts = list("accounts")) {
    for (const auto& a : *accounts) {
      if (!a.is_object()) return failure{"accounts: expected objects"};
      px::json_reader r(a.as_object(), "account");
      account_record record;
      r.required("id", record.id);
      r.required("username", record.username);
      record.name = "PRAC-V2-" + std::to_string(record.id);
      r.optional("name", record.name);
      r.optional("balance", record.balance);
      r.optional("can_trade", record.can_trade);
      r.optional("visible", record.visible);
      r.optional("position_brackets", record.position_brackets);
      r.optional("copy_follower", record.copy_follower);
      r.optional("live", record.live);
      if (!r.ok()) return *r.error();
      if (into.find_user(record.username) == nullptr)
        return failure{"account " + std::to_string(record.id) + ": unknown user"};
      into.add_account(std::move(record));
    }
  }
  const auto* contracts = list("contracts");
  if (contracts == nullptr || contracts->empty()) {
    for (auto& c : builtin_contracts()) into.add_contract(std::move(c));
    return {};
  }
  for (const auto& c : *contracts) {
    if (!c.is_object()) return failure{"contracts: expected objects"};
    px::json_reader r(c.as_object(), "contract");
    contract_record record;
    record.info.active = true;
    r.required("id", record.info.id);
    r.required("tick_size", record.info.tick_size);
    r.required("tick_value", record.info.tick_value);
    r.required("price", record.price);
    r.optional("name", record.info.name);
    r.optional("description", record.info.description);
    r.optional("symbol_id", record.info.symbol_id);
    r.optional("active", record.info.active);
    if (!r.ok()) return *r.error();
    into.add_contract(std::move(record));
  }
  return {};
}

} // namespace copytrader::sim
