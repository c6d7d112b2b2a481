#pragma once
// Which products move together (ES and MES are one market for hedging) and how much of the size cap
// a contract takes (a micro counts a tenth of a mini on TopstepX). Keyed by the product code inside a
// contract id, `CON.F.US.<product>.<month><year>`: the code is not the ticker (ES is EP, NQ is ENQ).

#include <string>
#include <string_view>
#include <vector>

namespace copytrader::guard {

struct product_group {
  std::string name;                // shown in messages: "ES"
  std::vector<std::string> minis;  // product codes: {"EP"}
  std::vector<std::string> micros; // {"MES"}
};

struct product_info {
  std::string group; // the group's name, or the product code itself when no group lists it
  bool micro = false;
};

class product_table {
public:
  explicit product_table(std::vector<product_group> groups) : groups_(std::move(groups)) {}
  // ES/MES, NQ/MNQ, YM/MYM, RTY/M2K, CL/MCL, GC/MGC (account-rules.md section 1).
  static product_table defaults();

  [[nodiscard]] product_info classify(std::string_view contract_id) const;
  [[nodiscard]] const std::vector<product_group>& groups() const noexcept { return groups_; }

private:
  std::vector<product_group> groups_;
};

// "CON.F.US.MES.U26" -> "MES"; anything else is its own code.
[[nodiscard]] std::string_view product_code(std::string_view contract_id) noexcept;

} // namespace copytrader::guard
