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
#include <optional>
#include <string>

namespace copytrader {

struct control_hooks {
  engine::copy_engine& engine;
  std::function<boost::asio::awaitable<reload_record>()> reload; // a reload, as SIGHUP does it
  std::function<reload_record()> last_reload;
  alerts::alert_dispatcher* alerts = nullptr; // status figures and test-alert
  // The dashboard's address with its token in the fragment; nullopt when control.dashboard_listen is off.
  std::function<std::optional<std::string>()> dashboard_address;
  // How long `flatten` waits for the followers to be flat before it answers.
  std::chrono::milliseconds flatten_wait = std::chrono::seconds(15);
  // The dashboard feed's list of the latest copies as JSON text, built again only when a copy was
  // noted since (copy_context::copies_noted): the feed looks four times a second.
  struct copies_text {
    std::optional<std::uint64_t> noted;
    std::string json;
  } feed_copies{};
};

boost::asio::awaitable<std::string> answer_control(control::request request, control_hooks& hooks);

// What copytraderctl status shows (with the last reload and the alerts' figures), as JSON.
boost::json::object status_json(control_hooks& hooks);
// The dashboard's live feed, one message: {"status", "stats", "copies", "problems"}; the same
// reports as copytraderctl status and stats, and the latest copies and warnings.
std::string dashboard_snapshot(control_hooks& hooks);

} // namespace copytrader
