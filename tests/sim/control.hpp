#pragma once
// The simulator's control API (HTTP+JSON on its own loopback port): act as any account, move prices,
// set switches, inject faults, read the ledger and the request log. docs/simulator.md lists it.

#include <string>
#include <string_view>
#include <utility>

namespace copytrader::sim {

class simulator;

std::pair<unsigned, std::string> handle_control(simulator& sim, std::string_view method, std::string_view target,
                                                std::string_view body);

} // namespace copytrader::sim
