#pragma once
// What a follower session counts: orders, outcomes, corrections, and copy latency.

#include "engine/latency_window.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace copytrader::engine {

// Copy latency since start, in Prometheus' cumulative-bucket shape (the latency_window keeps only
// the latest for percentiles).
struct latency_histogram {
  static constexpr std::array<std::int64_t, 12> bounds_us{100,   250,   500,   1000,   2500,   5000,
                                                          10000, 25000, 50000, 100000, 250000, 1000000};
  std::array<std::uint64_t, bounds_us.size()> at_most{}; // samples <= each bound (cumulative)
  std::uint64_t count = 0;
  std::int64_t sum_us = 0;

  void record(std::int64_t us) {
    for (std::size_t i = 0; i < bounds_us.size(); ++i) at_most[i] += us <= bounds_us[i] ? 1U : 0U;
    ++count;
    sum_us += us;
  }
};

struct follower_figures {
  std::uint64_t orders_sent = 0;    // orders and closes sent to the venue
  std::uint64_t dry_run_orders = 0; // what a dry run would have sent (never counted as sent)
  std::uint64_t confirmed = 0;
  std::uint64_t rejected = 0;
  std::uint64_t unknown = 0;          // outcomes that needed a tag search
  std::uint64_t unknown_resolved = 0; // of which found (or proven absent and resent)
  std::uint64_t failed = 0;
  std::uint64_t corrections = 0; // reconciliation found the venue different from the book
  std::uint64_t guard_holds = 0; // entries the account guard shrank or skipped
  // The guard's decisions by (rule, action): ("G1 max loss", "shrink"), ("G2 daily loss", "flatten_lock").
  std::map<std::pair<std::string, std::string>, std::uint64_t> guard_actions;
  std::string last_error;
  latency_window latency_us; // leader event seen -> order confirmed
  latency_window sent_us;    // leader event seen -> the place written to the socket
  latency_histogram latency;
};

} // namespace copytrader::engine
