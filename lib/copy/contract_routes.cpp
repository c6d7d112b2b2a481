#include "copy/contract_routes.hpp"

#include <algorithm>
#include <cctype>

namespace copytrader::copy {

namespace {

bool upper_or_digit(char c) noexcept {
  return std::isupper(static_cast<unsigned char>(c)) != 0 || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

constexpr std::string_view month_letters = "FGHJKMNQUVXZ";

// "Z6" or "Z26": a futures month letter and a one- or two-digit year.
bool is_month(std::string_view text) noexcept {
  if (text.size() < 2 || text.size() > 3 || month_letters.find(text.front()) == std::string_view::npos) return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

} // namespace

bool is_symbol(std::string_view text) noexcept {
  return !text.empty() && text.size() <= 6 && std::isupper(static_cast<unsigned char>(text.front())) != 0 &&
         std::all_of(text.begin(), text.end(), upper_or_digit);
}

std::string_view symbol_of(std::string_view name) noexcept {
  for (std::size_t month = 2; month <= 3 && month < name.size(); ++month) {
    const auto symbol = name.substr(0, name.size() - month);
    if (is_month(name.substr(symbol.size())) && is_symbol(symbol)) return symbol;
  }
  return {};
}

std::optional<contract_id_parts> split_contract_id(std::string_view id) noexcept {
  const auto last = id.rfind('.');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto before = id.rfind('.', last - 1);
  if (before == std::string_view::npos || !id.starts_with("CON.")) return std::nullopt;
  contract_id_parts parts{id.substr(0, before + 1), id.substr(before + 1, last - before - 1), id.substr(last + 1)};
  if (parts.product.empty() || !is_month(parts.month)) return std::nullopt;
  return parts;
}

const projectx::contract* active_contract_of(std::string_view symbol, const std::vector<projectx::contract>& found) {
  for (const auto& c : found) {
    if (!c.active || !std::string_view(c.name).starts_with(symbol)) continue;
    if (!is_month(std::string_view(c.name).substr(symbol.size()))) continue;
    if (!split_contract_id(c.id)) continue; // an id this map cannot carry a month across
    return &c;
  }
  return nullptr;
}

contract_routes::contract_routes(const follower_config& rules) : contract_id_(rules.contract_id) {
  for (const auto& [from, to] : rules.contract_map) {
    if (is_symbol(from) && is_symbol(to))
      symbol_map_.emplace(from, to);
    else
      contract_map_.emplace(from, to);
  }
}

const std::string* contract_routes::follower_contract(const std::string& leader_contract) const {
  if (!contract_id_.empty()) return &contract_id_;
  if (!contract_map_.empty()) {
    auto it = contract_map_.find(leader_contract);
    if (it != contract_map_.end()) return &it->second;
  }
  if (!symbol_map_.empty()) {
    if (auto it = routed_.find(leader_contract); it != routed_.end()) return &it->second;
    const auto parts = split_contract_id(leader_contract);
    if (!parts) return nullptr;
    auto product = product_map_.find(parts->product);
    if (product == product_map_.end()) return nullptr;
    std::string mine;
    mine.reserve(leader_contract.size() + product->second.size());
    mine.append(parts->prefix).append(product->second).append(".").append(parts->month);
    if (refused_.contains(mine)) return nullptr;
    derived_order_.push_back(mine);
    return &routed_.emplace(leader_contract, std::move(mine)).first->second;
  }
  return contract_map_.empty() ? &leader_contract : nullptr;
}

std::vector<std::string> contract_routes::unresolved_symbols() const {
  std::vector<std::string> out;
  for (const auto& [from, to] : symbol_map_) {
    for (const auto& symbol : {from, to}) {
      if (!products_.contains(symbol) && std::find(out.begin(), out.end(), symbol) == out.end()) out.push_back(symbol);
    }
  }
  return out;
}

void contract_routes::learn_product(const std::string& symbol, const std::string& product) {
  products_[symbol] = product;
  for (const auto& [from, to] : symbol_map_) {
    auto leader = products_.find(from);
    auto mine = products_.find(to);
    if (leader != products_.end() && mine != products_.end()) product_map_[leader->second] = mine->second;
  }
}

void contract_routes::refuse(const std::string& follower_contract) {
  refused_.insert(follower_contract);
  std::erase_if(routed_, [&](const auto& route) { return route.second == follower_contract; });
}

std::string contract_routes::symbol_pair_of(std::string_view leader_contract) const {
  const auto parts = split_contract_id(leader_contract);
  if (!parts) return {};
  for (const auto& [from, to] : symbol_map_) {
    auto product = products_.find(from);
    if (product != products_.end() && product->second == parts->product) {
      std::string pair = from;
      pair.append(": ").append(to);
      return pair;
    }
  }
  return {};
}

} // namespace copytrader::copy
