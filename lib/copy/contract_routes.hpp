#pragma once
// Which follower contract a leader contract is copied onto. Four shapes, from the follower's entry:
//  - neither contract_id nor contract_map: the leader's own contract;
//  - contract_id: every leader contract lands on that one;
//  - contract_map by id ({CON.F.US.MES.Z26: CON.F.US.EP.Z26}): exactly those months;
//  - contract_map by symbol ({MES: ES}): the leader's month of the mapped product, so that a roll
//    needs no reload: the leader's CON.F.US.MES.H27 goes to CON.F.US.EP.H27.
// A symbol is the contract's name without its month (MESZ6 -> MES); the venue's product code in the
// id can differ from it (ES -> EP), so symbols are resolved against the venue (Contract/search) before
// they route anything. Pure: the engine feeds it what the venue said.

#include "config/config.hpp"
#include "projectx/models.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace copytrader::copy {

// A symbol as traders write it: 1 to 6 upper-case letters or digits, starting with a letter.
[[nodiscard]] bool is_symbol(std::string_view text) noexcept;

// The parts of a contract id (CON.F.US.<product>.<month letter><year>) a symbol map uses; nullopt for
// an id of another shape.
struct contract_id_parts {
  std::string_view prefix;  // "CON.F.US."
  std::string_view product; // "EP"
  std::string_view month;   // "Z26"
};
[[nodiscard]] std::optional<contract_id_parts> split_contract_id(std::string_view id) noexcept;

// The symbol of a contract's name (MESZ6 -> MES, ENQH25 -> ENQ), empty when the name ends in no month.
[[nodiscard]] std::string_view symbol_of(std::string_view name) noexcept;

// From Contract/search's answer: the active contract whose name is the symbol plus a month (MES ->
// MESZ6, never MMESZ6 or MESZ6X), nullopt when there is none.
[[nodiscard]] const projectx::contract* active_contract_of(std::string_view symbol,
                                                           const std::vector<projectx::contract>& found);

class contract_routes {
public:
  contract_routes() = default;
  explicit contract_routes(const follower_config& rules);

  // The follower contract for a leader contract (or a manual signal's), null when it is not copied.
  // The pointer is to `leader_contract` itself, or into this object (valid until the next refuse):
  // planning copies no string.
  [[nodiscard]] const std::string* follower_contract(const std::string& leader_contract) const;

  // contract_id, what a manual signal without a contract lands on; null when it is not set.
  [[nodiscard]] const std::string* fixed_contract() const noexcept {
    return contract_id_.empty() ? nullptr : &contract_id_;
  }

  // The symbols of the map still to be resolved against the venue (empty for the other shapes).
  [[nodiscard]] std::vector<std::string> unresolved_symbols() const;
  // What the venue said: the symbol's product code (from its active contract's id).
  void learn_product(const std::string& symbol, const std::string& product);
  // A follower contract the venue does not know (a month the product is not listed in): its
  // leader contract is no longer routed, and the engine says so as for an unmapped one.
  void refuse(const std::string& follower_contract);

  [[nodiscard]] bool by_symbol() const noexcept { return !symbol_map_.empty(); }
  // The follower contracts this object made up so far, in the order they were first routed.
  [[nodiscard]] const std::vector<std::string>& derived() const noexcept { return derived_order_; }
  // The symbol pair that routes a leader contract ("MES: ES"), empty when no symbol pair does.
  [[nodiscard]] std::string symbol_pair_of(std::string_view leader_contract) const;

private:
  std::string contract_id_;
  std::map<std::string, std::string, std::less<>> contract_map_;   // id to id
  std::map<std::string, std::string, std::less<>> symbol_map_;     // symbol to symbol
  std::map<std::string, std::string, std::less<>> products_;       // symbol to the venue's product code
  std::map<std::string, std::string, std::less<>> product_map_;    // leader product to follower product
  mutable std::map<std::string, std::string, std::less<>> routed_; // leader contract to follower contract
  mutable std::vector<std::string> derived_order_;
  std::set<std::string, std::less<>> refused_;
};

} // namespace copytrader::copy
