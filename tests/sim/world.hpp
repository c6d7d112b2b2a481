#pragma once
// The simulator's starting state from a JSON file: users with their API keys, accounts, and
// optionally contracts (otherwise the built-in set: ES as EP, NQ as ENQ, MES, MNQ and an expired
// contract, with their real tick sizes and values).

#include "core/failure.hpp"
#include "sim/ledger.hpp"

#include <filesystem>

namespace copytrader::sim {

std::vector<contract_record> builtin_contracts();
outcome<void> load_world(const std::filesystem::path& file, ledger& into);

} // namespace copytrader::sim
