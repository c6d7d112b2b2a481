#pragma once
// Going live without guessing ids (docs/operations.md, "Going live"): with the keys the configuration
// names, what each login can see. `copytraderd --config FILE --accounts` lists every account of every
// configured login (id, name, canTrade, balance, and which entry of the file uses it);
// `--contracts TEXT` searches the leader's login for contracts (id, tick size and value, dollars a
// point, active). The tables are pure functions of what was read; run_discovery is the shell.

#include "config/config.hpp"
#include "projectx/models.hpp"

#include <string>
#include <vector>

namespace copytrader {

struct discovered_account {
  std::string username;
  projectx::account account;
  std::string used_as; // "leader", "follower NAME", or "" when the file does not use it
};

struct discovery_request {
  enum class kind { accounts, contracts } what = kind::accounts;
  std::string search; // contracts: the text to search for ("MES", "NQ")
};

// Which entry of the file uses each account the logins can see.
[[nodiscard]] std::vector<discovered_account> label_accounts(const config& cfg, const std::string& username,
                                                             const std::vector<projectx::account>& seen);
[[nodiscard]] std::string render_accounts(const std::vector<discovered_account>& rows);
[[nodiscard]] std::string render_contracts(const std::vector<projectx::contract>& contracts);

// Logs in with each configured login and prints the table to stdout. Returns the exit code: 0, or 1
// when a login or a read failed (said on stderr, without the key).
int run_discovery(const config& cfg, const discovery_request& request);

} // namespace copytrader
