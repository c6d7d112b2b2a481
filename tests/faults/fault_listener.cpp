// The closing line of a fault run: the totals that must be zero (passed and failed come from the
// runner's own closing line, tests/support/catch_main.cpp).
#define CATCH_CONFIG_EXTERNAL_INTERFACES // the listener interface
#include <catch2/catch.hpp>

#include "faults/fault_harness.hpp"

#include <cstdio>

namespace {

struct fault_summary : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;

  void testRunEnded(const Catch::TestRunStats& /*stats*/) override {
    const auto& t = copytrader::testing::totals();
    std::printf("faults injected %llu, copies lost %llu, duplicated %llu, unprotected %llu, budget violations %llu\n",
                static_cast<unsigned long long>(t.faults), static_cast<unsigned long long>(t.lost),
                static_cast<unsigned long long>(t.duplicated), static_cast<unsigned long long>(t.unprotected),
                static_cast<unsigned long long>(t.budget_violations));
    std::fflush(stdout);
  }
};

} // namespace

CATCH_REGISTER_LISTENER(fault_summary)
