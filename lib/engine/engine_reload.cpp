// A reloaded configuration applied to the running engine: the follower roster's steps carried out
// (engine/follower_roster.hpp decides them), and the sessions that end.

#include "engine/copy_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

// A follower whose contracts changed in a reload: checked again.
asio::awaitable<void> recheck(follower_session* s) {
  co_await s->preflight();
  co_return;
}

} // namespace

std::vector<running_follower> copy_engine::running_followers() const {
  std::vector<running_follower> out;
  out.reserve(followers_.size());
  for (const auto& s : followers_)
    out.push_back({s->rules().name, s->rules().account, s->rules().login.username, s->retired(), s->settled()});
  return out;
}

config_errors copy_engine::reload_conflicts(const config& next) const {
  auto plan = plan_roster(running_followers(), next);
  return plan ? config_errors{} : plan.error();
}

void copy_engine::apply(const config& next) {
  auto plan = plan_roster(running_followers(), next);
  if (!plan) {
    // reload_conflicts() said yes a moment ago on the same io thread; nothing can have changed.
    spdlog::error("reload not applied to the followers: {}", plan.error().to_string());
    return;
  }
  ctx_.copy = next.copy;
  ctx_.safety = next.safety;
  ctx_.risk = next.risk;
  ctx_.products = guard::product_table(next.risk.product_groups);
  ctx_.breaker.reconfigure(static_cast<std::size_t>(next.safety.circuit_breaker.max_orders),
                           next.safety.circuit_breaker.window);
  config_ = next;
  // Indexes are of the sessions as planned: collect the pointers before any is moved aside.
  std::vector<follower_session*> planned;
  for (const auto& s : followers_) planned.push_back(s.get());
  for (const auto& step : *plan) {
    follower_session* s = step.session ? planned[*step.session] : nullptr;
    const follower_config* f = step.entry ? &next.followers[*step.entry] : nullptr;
    switch (step.change) {
      case roster_change::end: {
        const auto it = std::find_if(followers_.begin(), followers_.end(), [s](const auto& p) { return p.get() == s; });
        end_follower(static_cast<std::size_t>(it - followers_.begin()), "removed by the reload, holding nothing");
        break;
      }
      case roster_change::retire:
        spdlog::info("follower {} removed by the reload: managing what it holds until flat, adding nothing",
                     s->rules().name);
        s->retire();
        break;
      case roster_change::rename:
      case roster_change::revive:
      case roster_change::keep: {
        if (step.change == roster_change::rename)
          spdlog::info("follower {} is now named {}: account {} handed over with its positions, legs and caps",
                       s->rules().name, f->name, f->account);
        if (step.change == roster_change::revive) {
          spdlog::info("follower {} configured again: account {} is managed as before", f->name, f->account);
          s->revive();
        }
        const bool contracts_changed =
            s->rules().contract_id != f->contract_id || s->rules().contract_map != f->contract_map;
        s->update_rules(*f);
        if (contracts_changed && !s->disabled_reason()) tasks_.spawn("check of follower " + f->name, recheck(s));
        break;
      }
      case roster_change::add:
        spdlog::info("follower {} added by the reload", f->name);
        add_follower(*f, true);
        break;
    }
  }
  apply_exit_reserves();
}

void copy_engine::end_follower(std::size_t index, std::string_view why) {
  auto session = std::move(followers_[index]);
  followers_.erase(followers_.begin() + static_cast<std::ptrdiff_t>(index));
  spdlog::info("follower {} (account {}) ended: {}", session->rules().name, session->rules().account, why);
  session->stop();
  ended_.push_back(std::move(session));
}

void copy_engine::end_settled_retired() {
  for (std::size_t i = followers_.size(); i-- > 0;) {
    if (followers_[i]->retired() && followers_[i]->settled()) end_follower(i, "flat with nothing working");
  }
}

std::vector<follower_session*> copy_engine::follower_snapshot() const {
  std::vector<follower_session*> out;
  out.reserve(followers_.size());
  for (const auto& f : followers_) out.push_back(f.get());
  return out;
}

} // namespace copytrader::engine
