#include "control/line_reader.hpp"

namespace copytrader::control {

void line_reader::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    if (!skipping_) {
      if (partial_.size() + piece.size() > max_line_) {
        partial_.clear();
        ready_.push_back({std::string(), true});
        skipping_ = true;
      } else {
        partial_.append(piece);
      }
    }
    if (newline == std::string_view::npos) return;
    if (!skipping_) {
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      ready_.push_back({std::move(partial_), false});
      partial_.clear();
    }
    skipping_ = false;
    bytes.remove_prefix(newline + 1);
  }
}

std::optional<line_item> line_reader::next() {
  if (ready_.empty()) return std::nullopt;
  line_item item = std::move(ready_.front());
  ready_.pop_front();
  return item;
}

} // namespace copytrader::control
