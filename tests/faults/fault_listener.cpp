// The closing lines of a fault run: passed and failed scenarios, and the totals that must be zero.
#define CATCH_CONFIG_EXTERNAL_INTERFACES // the listener interface
#include <catch2/catch.hpp>

#include "faults/fault_harness.hpp"

#include <cstdio>

namespace {

struct fault_summary : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;

  void testRunEnded(const Catch::TestRunStats& stats) override {
    const auto& t = copytrader::testing::totals();
    std::printf("%llu passed, %llu failed\n", static_cast<unsigned long long>(stats.totals.testCases.passed),
                static_cast<unsigned long long>(stats.totals.testCases.failed));
    std::printf("faults injected %llu, copies lost %llu, duplicated %llu, unprotected %llu, budget violations %llu\n",
                static_cast<unsigned long long>(t.faults), static_cast<unsigned long long>(t.lost),
                static_cast<unsigned long long>(t.duplicated), static_cast<unsigned long long>(t.unprotected),
                static_cast<unsigned long long>(t.budget_violations));
    std::fflush(stdout);
  }
};

} // namespace

CATCH_REGISTER_LISTENER(fault_summary)
