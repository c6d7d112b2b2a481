#include "projectx/socket_deadline.hpp"

namespace copytrader::projectx {

socket_deadline::socket_deadline(const boost::asio::any_io_executor& executor)
    : state_(std::make_shared<state>()), timer_(executor) {}

socket_deadline::~socket_deadline() { disarm(); }

void socket_deadline::arm(boost::asio::ip::tcp::socket& socket, duration limit) {
  const auto generation = ++state_->generation;
  state_->socket = &socket;
  state_->expired = false;
  timer_.expires_after(limit);
  timer_.async_wait([s = state_, generation](const boost::system::error_code& ec) {
    if (ec || s->generation != generation || s->socket == nullptr) return;
    s->expired = true;
    boost::system::error_code ignored;
    s->socket->close(ignored);
  });
}

void socket_deadline::disarm() noexcept {
  ++state_->generation;
  state_->socket = nullptr;
  timer_.cancel();
}

bool socket_deadline::expired() const noexcept { return state_->expired; }

} // namespace copytrader::projectx
