// copytraderctl: asks the running copytraderd over its control socket (docs/operations.md).
// Exit codes: 0 done, 1 refused (by the daemon or the socket's permissions), 2 the daemon is not
// running, 64 usage.

#include "control/ctl_view.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace {
namespace json = boost::json;

constexpr int exit_done = 0;
constexpr int exit_refused = 1;
constexpr int exit_not_running = 2;
constexpr int exit_usage = 64;

constexpr std::string_view usage_text =
    "usage: copytraderctl [--socket PATH] [--json] COMMAND\n"
    "\n"
    "  status                    leader, breaker, rate headroom, each follower's position against target\n"
    "  stats                     copies, failures, per-follower figures and latency\n"
    "  watch [--count N]         status refreshed every second until Ctrl-C (or N refreshes)\n"
    "  reset-breaker             re-arm the circuit breaker\n"
    "  enable NAME [--catch-up]  add again from the leader's next episode, or with --catch-up join the\n"
    "                            leader's current position now (at today's price)\n"
    "  disable NAME              add nothing more; what is held is still managed until flat\n"
    "  flatten NAME              close the follower's positions and cancel its legs, then wait until flat\n"
    "  flatten --all [--yes]     the same for every follower (asks first unless --yes)\n"
    "  copy --side long|short --size N [--sl-ticks N] [--tp-ticks N] [--strategy S]\n"
    "       [--contract ID] [--dry-run]\n"
    "                            a manual signal, copied to the followers as a leader entry would be\n"
    "  reload                    reload the configuration, as SIGHUP does\n"
    "  risk [NAME]               the account guard: balance, floor, headroom, day loss, open risk, lock\n"
    "  unlock NAME               end the guard's lock or halt of a follower\n"
    "  test-alert [TARGET]       send a test alert to one alert target (or every one) and wait for its answer\n"
    "  dashboard                 the dashboard's address, with its token (open it in a browser on this machine)\n"
    "\n"
    "  --socket PATH   the control socket (default $COPYTRADER_SOCKET, else /run/copytrader/control.sock)\n"
    "  --json          print the daemon's JSON answer instead of a table\n"
    "\n"
    "exit codes: 0 done, 1 refused, 2 the daemon is not running, 64 usage\n";

volatile std::sig_atomic_t interrupted = 0;
void on_signal(int) { interrupted = 1; }

int usage_error(const std::string& message) {
  std::fprintf(stderr, "copytraderctl: %s\n\n%.*s", message.c_str(), static_cast<int>(usage_text.size()),
               usage_text.data());
  return exit_usage;
}

struct failure_exit {
  int code;
  std::string message;
};

class connection {
public:
  static std::variant<connection, failure_exit> open(const std::string& path) {
    sockaddr_un address{};
    if (path.size() >= sizeof address.sun_path) return failure_exit{exit_usage, "socket path too long: " + path};
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return failure_exit{exit_not_running, std::string("socket: ") + std::strerror(errno)};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      const int e = errno;
      ::close(fd);
      if (e == EACCES || e == EPERM)
        return failure_exit{exit_refused, "permission denied on " + path +
                                              ": run as root, as the daemon's user, or as a member of control.group"};
      return failure_exit{exit_not_running,
                          "the daemon is not running (cannot connect to " + path + ": " + std::strerror(e) + ")"};
    }
    // flatten waits up to 15 s for the followers; anything slower than this is a daemon in trouble.
    timeval timeout{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return connection(fd);
  }
  connection(connection&& other) noexcept : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}
  connection& operator=(connection&&) = delete;
  ~connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  // One request line out, one response line back.
  std::variant<std::string, failure_exit> ask(const std::string& request) {
    std::string line = request + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
      const auto n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break; // closed early: a refusal may already be waiting to be read
      sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string response = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return response;
      }
      char chunk[4096];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR && !interrupted) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return failure_exit{exit_not_running, "the daemon did not answer within 30 s"};
      if (n <= 0) return failure_exit{exit_not_running, "the daemon closed the connection"};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

private:
  explicit connection(int fd) : fd_(fd) {}
  int fd_;
  std::string buffer_;
};

struct options {
  std::string socket;
  bool json_output = false;
  bool yes = false;
  std::optional<int> count; // watch
  std::vector<std::string> words;
  json::object request;
};

bool whole(const std::string& s, long low, long high, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(s.c_str(), &end, 10);
  return !s.empty() && end != nullptr && *end == '\0' && errno == 0 && out >= low && out <= high;
}

// The command words and flags into the request the daemon takes; an error message otherwise.
std::optional<std::string> parse(int argc, char** argv, options& o) {
  const char* env = std::getenv("COPYTRADER_SOCKET");
  o.socket = env != nullptr && *env != '\0' ? env : "/run/copytrader/control.sock";
  std::vector<std::string> args(argv + 1, argv + argc);
  json::object& r = o.request;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      (void)name;
      return args[++i];
    };
    auto number = [&](const char* key, long low, long high) -> std::optional<std::string> {
      auto v = value(key);
      long n = 0;
      if (!v || !whole(*v, low, high, n))
        return std::string(a) + " takes a whole number from " + std::to_string(low) + " to " + std::to_string(high);
      r[key] = n;
      return std::nullopt;
    };
    if (a == "--socket") {
      auto v = value("socket");
      if (!v) return "--socket takes a path";
      o.socket = *v;
    } else if (a == "--json") {
      o.json_output = true;
    } else if (a == "--yes" || a == "-y") {
      o.yes = true;
    } else if (a == "--all") {
      r["all"] = true;
    } else if (a == "--catch-up") {
      r["catch_up"] = true;
    } else if (a == "--dry-run") {
      r["dry_run"] = true;
    } else if (a == "--side") {
      auto v = value("side");
      if (!v || (*v != "long" && *v != "short")) return "--side takes long or short";
      r["side"] = *v;
    } else if (a == "--size") {
      if (auto e = number("size", 1, 1000)) return e;
    } else if (a == "--sl-ticks") {
      if (auto e = number("sl_ticks", 4, 10000)) return e;
    } else if (a == "--tp-ticks") {
      if (auto e = number("tp_ticks", 4, 10000)) return e;
    } else if (a == "--strategy") {
      auto v = value("strategy");
      if (!v) return "--strategy takes a name";
      r["strategy"] = *v;
    } else if (a == "--contract") {
      auto v = value("contract");
      if (!v) return "--contract takes a contract id";
      r["contract"] = *v;
    } else if (a == "--count") {
      auto v = value("count");
      long n = 0;
      if (!v || !whole(*v, 1, 1000000, n)) return "--count takes a whole number";
      o.count = static_cast<int>(n);
    } else if (a == "--help" || a == "-h") {
      return std::string();
    } else if (!a.empty() && a[0] == '-') {
      return "unknown option " + a;
    } else {
      o.words.push_back(a);
    }
  }
  if (o.words.empty()) return "a command is required";
  const std::string& command = o.words[0];
  const bool takes_name = command == "enable" || command == "disable" || command == "flatten" || command == "unlock";
  if ((command == "risk" || command == "test-alert") && o.words.size() <= 2) {
    if (o.words.size() == 2) r["name"] = o.words[1];
  } else if (takes_name && !r.contains("all")) {
    if (o.words.size() != 2) return command + " takes one follower name";
    r["name"] = o.words[1];
  } else if (o.words.size() != 1) {
    return command + " takes no further words";
  }
  static const std::vector<std::string> known{"status",  "stats",      "watch",    "reset-breaker", "enable",
                                              "disable", "flatten",    "copy",     "reload",        "risk",
                                              "unlock",  "test-alert", "dashboard"};
  if (std::find(known.begin(), known.end(), command) == known.end()) return "unknown command " + command;
  if (command == "copy" && (!r.contains("side") || !r.contains("size"))) return "copy needs --side and --size";
  if (r.contains("catch_up") && command != "enable") return "--catch-up goes with enable only";
  r["command"] = command == "watch" ? "status" : command;
  return std::nullopt;
}

bool confirmed(const options& o) {
  if (o.yes) return true;
  if (::isatty(STDIN_FILENO) == 0) return false;
  std::fputs("Close every follower's positions and cancel their legs? [y/N] ", stdout);
  std::fflush(stdout);
  char answer[16] = {};
  if (std::fgets(answer, sizeof answer, stdin) == nullptr) return false;
  return answer[0] == 'y' || answer[0] == 'Y';
}

int print_answer(const options& o, const std::string& command, const std::string& line) {
  boost::system::error_code ec;
  const json::value answer = json::parse(line, ec);
  if (ec || !answer.is_object()) {
    std::fprintf(stderr, "copytraderctl: the daemon answered something unreadable\n");
    return exit_refused;
  }
  const auto& o_answer = answer.as_object();
  const auto* ok = o_answer.if_contains("ok");
  if (ok == nullptr || !ok->is_bool() || !ok->as_bool()) {
    const auto* error = o_answer.if_contains("error");
    std::fprintf(stderr, "copytraderctl: refused: %s\n",
                 error != nullptr && error->is_string() ? error->as_string().c_str() : "no reason given");
    return exit_refused;
  }
  const json::value* result = o_answer.if_contains("result");
  const json::object empty;
  const json::object& r = result != nullptr && result->is_object() ? result->as_object() : empty;
  if (o.json_output) {
    std::printf("%s\n", json::serialize(r).c_str());
  } else if (command == "status" || command == "watch") {
    std::fputs(copytrader::control::render_status(r).c_str(), stdout);
  } else if (command == "stats") {
    std::fputs(copytrader::control::render_stats(r).c_str(), stdout);
  } else if (command == "copy") {
    std::fputs(copytrader::control::render_signal(r).c_str(), stdout);
  } else if (command == "flatten") {
    std::fputs(copytrader::control::render_flatten(r).c_str(), stdout);
  } else if (command == "reset-breaker") {
    std::printf("circuit breaker re-armed%s\n",
                r.contains("was_tripped") && r.at("was_tripped").as_bool() ? "" : " (it was not tripped)");
  } else if (command == "reload") {
    std::printf("configuration reloaded\n");
  } else if (command == "risk") {
    std::fputs(copytrader::control::render_risk(r).c_str(), stdout);
  } else if (command == "test-alert") {
    for (const auto& t : r.contains("targets") ? r.at("targets").as_array() : json::array{})
      std::printf("test alert delivered to %s (%s)\n", t.as_object().at("name").as_string().c_str(),
                  t.as_object().at("detail").as_string().c_str());
  } else if (command == "dashboard") {
    // The token rides in the fragment, which the browser keeps to itself: not in a log, not in a Referer.
    std::printf("%s\n", r.contains("address") ? r.at("address").as_string().c_str() : "?");
  } else if (command == "unlock") {
    std::printf("%s: guard %s\n", r.contains("name") ? r.at("name").as_string().c_str() : "?",
                r.contains("state") ? r.at("state").as_string().c_str() : "?");
  } else {
    const auto* name = r.if_contains("name");
    const auto* state = r.if_contains("state");
    std::printf("%s: %s\n", name && name->is_string() ? name->as_string().c_str() : "?",
                state && state->is_string() ? state->as_string().c_str() : "?");
  }
  std::fflush(stdout);
  return exit_done;
}

int watch(const options& o, connection& daemon) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const std::string request = json::serialize(o.request);
  for (int shown = 0; !interrupted && (!o.count || shown < *o.count); ++shown) {
    auto answer = daemon.ask(request);
    if (auto* f = std::get_if<failure_exit>(&answer)) {
      std::fprintf(stderr, "\ncopytraderctl: %s\n", f->message.c_str());
      return f->code;
    }
    if (!o.json_output) {
      const std::time_t now = std::time(nullptr);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
      std::printf("\x1b[H\x1b[2Jcopytraderctl watch, %s (Ctrl-C to stop)\n\n", stamp);
    }
    if (const int code = print_answer(o, "watch", std::get<std::string>(answer)); code != exit_done) return code;
    for (int i = 0; i < 10 && !interrupted && (!o.count || shown + 1 < *o.count); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return exit_done;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (auto error = parse(argc, argv, o)) {
    if (error->empty()) {
      std::fwrite(usage_text.data(), 1, usage_text.size(), stdout);
      return exit_done;
    }
    return usage_error(*error);
  }
  const std::string& command = o.words[0];
  if (command == "flatten" && o.request.contains("all") && !confirmed(o)) {
    std::fprintf(stderr, "copytraderctl: not confirmed, nothing done (--yes confirms without asking)\n");
    return exit_refused;
  }
  auto opened = connection::open(o.socket);
  if (auto* f = std::get_if<failure_exit>(&opened)) {
    std::fprintf(stderr, "copytraderctl: %s\n", f->message.c_str());
    return f->code;
  }
  auto& daemon = std::get<connection>(opened);
  if (command == "watch") return watch(o, daemon);
  auto answer = daemon.ask(json::serialize(o.request));
  if (auto* f = std::get_if<failure_exit>(&answer)) {
    std::fprintf(stderr, "copytraderctl: %s\n", f->message.c_str());
    return f->code;
  }
  return print_answer(o, command, std::get<std::string>(answer));
}
