#pragma once
// What each copytraderctl command does in the running daemon: the control socket's requests mapped
// onto the copy engine and the reload, and answered with one response line.

#include "alerts/alert_dispatcher.hpp"
#include "control/control_request.hpp"
#include "engine/copy_engine.hpp"
#include "service/daemon_service.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace copytrader {

struct control_hooks {
  engine::copy_engine& engine;
  std::function<boost::asio::awaitable<reload_record>()> reload; // a reload, as SIGHUP does it
  std::function<reload_record()> last_reload;
  alerts::alert_dispatcher* alerts = nullptr; // status figures and test-alert
  // How long `flatten` waits for the followers to be flat before it answers.
  std::chrono::milliseconds flatten_wait = std::chrono::seconds(15);
};

boost::asio::awaitable<std::string> answer_control(control::request request, control_hooks& hooks);

} // namespace copytrader
