// copytraderd: parses the command line and hands over to run_daemon(); everything else is in lib/.

#include "config/config_loader.hpp"
#include "logging/log.hpp"
#include "service/daemon_service.hpp"
#include "service/discovery.hpp"
#include "systemd/notifier.hpp"

#include <cstdio>
#include <optional>
#include <string_view>

namespace {

constexpr std::string_view usage_text =
    "usage: copytraderd --config FILE [--check-config] [--dry-run]\n"
    "       copytraderd --config FILE --accounts | --contracts TEXT\n"
    "       copytraderd --version | --help\n"
    "\n"
    "  --config FILE    the YAML configuration (see docs/configuration.md)\n"
    "  --check-config   validate FILE, print every problem as file:line: key: reason, and exit\n"
    "                   (0 when valid, 78 when not)\n"
    "  --dry-run        run the whole pipeline but send no order (overrides copy.dry_run)\n"
    "  --accounts       log in with the file's keys and list every account each login can see\n"
    "                   (id, name, canTrade, balance, which entry uses it); account_id may be unset\n"
    "  --contracts TEXT search the leader's login for contracts (id, tick size and value, active)\n"
    "  --version        print the version and exit\n";

int usage_error(std::string_view message) {
  std::fprintf(stderr, "copytraderd: %.*s\n\n%.*s", static_cast<int>(message.size()), message.data(),
               static_cast<int>(usage_text.size()), usage_text.data());
  return copytrader::exit_usage;
}

int check_config(const std::filesystem::path& file) {
  auto loaded = copytrader::load_config(file);
  if (!loaded) {
    std::fputs(loaded.error().to_string().c_str(), stderr);
    return copytrader::exit_config;
  }
  std::printf("%s: configuration OK (%s)\n", loaded->file.c_str(), copytrader::status_line(*loaded, {}).c_str());
  return copytrader::exit_ok;
}

int discover(const std::filesystem::path& file, const copytrader::discovery_request& request) {
  copytrader::load_options options;
  options.account_ids_unknown = true;
  auto loaded = copytrader::load_config(file, options);
  if (!loaded) {
    std::fputs(loaded.error().to_string().c_str(), stderr);
    return copytrader::exit_config;
  }
  copytrader::setup_logging(copytrader::logging_config{.level = "error", .sink = copytrader::log_sink::stderr_sink},
                            "copytraderd");
  return copytrader::run_discovery(*loaded, request);
}

} // namespace

int main(int argc, char** argv) {
  copytrader::daemon_options options;
  bool check_only = false;
  std::optional<copytrader::discovery_request> discovery;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fwrite(usage_text.data(), 1, usage_text.size(), stdout);
      return copytrader::exit_ok;
    }
    if (arg == "--version") {
      std::printf("copytraderd %s\n", COPYTRADER_VERSION);
      return copytrader::exit_ok;
    }
    if (arg == "--check-config")
      check_only = true;
    else if (arg == "--accounts")
      discovery = copytrader::discovery_request{copytrader::discovery_request::kind::accounts, {}};
    else if (arg == "--contracts") {
      if (++i >= argc) return usage_error("--contracts needs a text to search for (e.g. MES)");
      discovery = copytrader::discovery_request{copytrader::discovery_request::kind::contracts, argv[i]};
    } else if (arg == "--dry-run")
      options.overrides.dry_run = true;
    else if (arg == "--config") {
      if (++i >= argc) return usage_error("--config needs a file");
      options.config_file = argv[i];
    } else if (arg.starts_with("--config=")) {
      options.config_file = std::string(arg.substr(9));
    } else {
      return usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.config_file.empty()) return usage_error("--config FILE is required");
  if (check_only) return check_config(options.config_file);
  if (discovery) return discover(options.config_file, *discovery);

  // Until the file says otherwise: journald under systemd, stderr elsewhere.
  copytrader::setup_logging(copytrader::logging_config{}, "copytraderd");
  copytrader::systemd_notifier notify;
  return copytrader::run_daemon(options, notify);
}
