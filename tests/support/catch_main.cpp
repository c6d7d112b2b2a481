// Catch2's runner, compiled once and shared by every test binary. Each run ends with a closing line
// that names the binary and its filter, e.g. `fault_tests [fault]: 50 passed, 0 failed`, which
// `make test` collects from every suite.
#define CATCH_CONFIG_RUNNER
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

namespace {

std::string& suite_name() {
  static std::string name;
  return name;
}

struct closing_line : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;

  void testRunEnded(const Catch::TestRunStats& stats) override {
    std::printf("%s: %llu passed, %llu failed\n", suite_name().c_str(),
                static_cast<unsigned long long>(stats.totals.testCases.passed),
                static_cast<unsigned long long>(stats.totals.testCases.failed));
    std::fflush(stdout);
  }
};

} // namespace

CATCH_REGISTER_LISTENER(closing_line)

int main(int argc, char* argv[]) {
  std::string name = argc > 0 ? argv[0] : "tests";
  name = name.substr(name.find_last_of('/') + 1);
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '-') name += std::string(" ") + argv[i]; // the filter, as ctest gives it
  }
  suite_name() = name;
  return Catch::Session().run(argc, argv);
}
