#include "copy/leg_plan.hpp"

#include <algorithm>
#include <cstdlib>

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {

// Shrinks one kind of leg (stops or targets) to `limit` contracts in total, newest first: the
// oldest legs carry the prices the trader has been watching longest.
void fit(std::vector<const working_order*> kind, std::int32_t limit, std::vector<leg_fix>& out) {
  std::sort(kind.begin(), kind.end(), [](const auto* a, const auto* b) { return a->id > b->id; });
  std::int32_t total = 0;
  for (const auto* leg : kind) total += leg->size;
  std::int32_t excess = total - limit;
  for (const auto* leg : kind) {
    if (excess <= 0) break;
    if (leg->size <= excess) {
      out.push_back(leg_fix{leg_fix_kind::cancel, leg->id, 0});
      excess -= leg->size;
    } else {
      out.push_back(leg_fix{leg_fix_kind::resize, leg->id, leg->size - excess});
      excess = 0;
    }
  }
}

} // namespace

std::vector<leg_fix> plan_leg_fixes(std::int32_t position, const std::vector<working_order>& legs, bool want_stop,
                                    bool want_target) {
  std::vector<leg_fix> out;
  const int closing_side = position > 0 ? px::side::ask : px::side::bid;
  std::vector<const working_order*> stops;
  std::vector<const working_order*> targets;
  for (const auto& leg : legs) {
    if (position == 0 || leg.side != closing_side) {
      out.push_back(leg_fix{leg_fix_kind::cancel, leg.id, 0});
    } else {
      (leg.is_stop() ? stops : targets).push_back(&leg);
    }
  }
  if (position == 0) return out;
  const std::int32_t size = std::abs(position);
  std::int32_t stop_total = 0;
  std::int32_t target_total = 0;
  for (const auto* s : stops) stop_total += s->size;
  for (const auto* t : targets) target_total += t->size;
  fit(stops, size, out);
  fit(targets, size, out);
  if (want_stop && stop_total < size) out.push_back(leg_fix{leg_fix_kind::add_stop, 0, size - stop_total});
  if (want_target && target_total < size) out.push_back(leg_fix{leg_fix_kind::add_target, 0, size - target_total});
  return out;
}

std::vector<px::order_id> leftover_cancels(const std::vector<working_order>& legs) {
  std::vector<px::order_id> out;
  std::vector<const working_order*> paired;
  for (const auto& leg : legs) {
    if (leg.parent)
      paired.push_back(&leg);
    else
      out.push_back(leg.id);
  }
  // Stops before targets, then one per parent.
  std::stable_sort(paired.begin(), paired.end(),
                   [](const auto* a, const auto* b) { return a->is_stop() && !b->is_stop(); });
  std::vector<px::order_id> parents;
  for (const auto* leg : paired) {
    if (std::find(parents.begin(), parents.end(), *leg->parent) != parents.end()) continue;
    parents.push_back(*leg->parent);
    out.push_back(leg->id);
  }
  return out;
}

} // namespace copytrader::copy
