#include "logging/log.hpp"

#include "logging/sinks.hpp"

#include <cstdlib>

namespace copytrader {
namespace {

std::vector<log_field>& field_stack() {
  thread_local std::vector<log_field> fields;
  return fields;
}

} // namespace

log_fields::log_fields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields)
    : count_(fields.size()) {
  auto& stack = field_stack();
  for (const auto& [name, value] : fields) stack.push_back(log_field{std::string(name), std::string(value)});
}

log_fields::~log_fields() {
  auto& stack = field_stack();
  stack.resize(stack.size() - count_);
}

const std::vector<log_field>& log_fields::current() noexcept { return field_stack(); }

bool set_log_level(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for names it does not know; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

namespace {
std::shared_ptr<problem_sink> problem_log; // set once at start, before any other thread logs
} // namespace

std::vector<logged_problem> recent_problems() {
  return problem_log ? problem_log->latest() : std::vector<logged_problem>{};
}

void setup_logging(const logging_config& cfg, std::string_view identifier) {
  const bool to_journal =
      cfg.sink == log_sink::journald || (cfg.sink == log_sink::automatic && std::getenv("JOURNAL_STREAM") != nullptr);
  spdlog::sink_ptr sink;
  if (to_journal)
    sink = std::make_shared<journald_sink>(std::string(identifier));
  else
    sink = std::make_shared<stderr_sink>();
  auto problems = std::make_shared<problem_sink>();
  problems->set_level(spdlog::level::warn);
  problem_log = problems;
  auto logger =
      std::make_shared<spdlog::logger>(std::string(identifier), spdlog::sinks_init_list{std::move(sink), problems});
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  set_log_level(cfg.level);
}

} // namespace copytrader
