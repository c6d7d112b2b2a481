#pragma once
// Alerts from the io thread to each target, without ever holding up a copy: raise() only coalesces
// and queues (no I/O, no formatting beyond the alert itself); each target's sender coroutine then
// POSTs in its own time, one alert at a time, with the delivery queue's retries. A receiver that
// hangs delays only its own target's queue, and each attempt has a deadline (alerts.timeout).
// A reload keeps the targets it did not change (with their queues) and replaces the others.

#include "alerts/alert.hpp"
#include "alerts/alert_coalescer.hpp"
#include "alerts/alert_message.hpp"
#include "alerts/delivery_queue.hpp"
#include "core/background.hpp"
#include "projectx/https_client.hpp"
#include "projectx/tls_fwd.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace copytrader::alerts {

struct target_figures {
  std::string name;
  alert_format format = alert_format::webhook;
  delivery_counters counters;
  std::size_t queued = 0;
  std::string last_error; // the latest failed attempt: a status or a transport error, never the URL
};

struct alert_figures {
  std::uint64_t raised = 0;
  std::uint64_t coalesced = 0;
  delivery_counters totals; // every target's, those a reload removed included
  std::vector<target_figures> targets;
};

// copytraderctl test-alert: what became of one target's test message.
struct test_delivery {
  std::string target;
  bool delivered = false;
  std::string detail; // "HTTP 200", "HTTP 500", "no response within the request timeout"
};

class alert_dispatcher {
public:
  // `tasks` runs the senders under the failure policy; the TLS context trusts what the API's does.
  alert_dispatcher(background_tasks& tasks, std::shared_ptr<boost::asio::ssl::context> tls, const alerts_config& cfg,
                   std::string origin);
  ~alert_dispatcher();
  alert_dispatcher(const alert_dispatcher&) = delete;
  alert_dispatcher& operator=(const alert_dispatcher&) = delete;

  // Starts the coalescer's timer and a sender per target.
  void start();
  // Coalesced, then queued for each target whose min_severity it meets.
  void raise(alert a);
  // A reloaded `alerts` section.
  void apply(const alerts_config& cfg);
  // What is queued gets one more attempt, all within alerts.timeout; then the senders end.
  void stop();
  // Sends a test alert to the named target (every target for ""), now, past the queues; answers
  // when each has been answered or timed out.
  boost::asio::awaitable<std::vector<test_delivery>> test(std::string target);

  [[nodiscard]] alert_figures figures() const;
  [[nodiscard]] bool has_target(const std::string& name) const;

private:
  struct target;
  std::shared_ptr<target> make_target(const alert_target_config& cfg);
  void start_sender(const std::shared_ptr<target>& t);
  void end_target(target& t);
  boost::asio::awaitable<void> send_loop(std::shared_ptr<target> t);
  boost::asio::awaitable<void> coalesce_loop();
  [[nodiscard]] alert_origin origin_now() const;

  background_tasks& tasks_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  alerts_config config_;
  std::string origin_;
  alert_coalescer coalescer_;
  boost::asio::steady_timer coalesce_timer_;
  std::vector<std::shared_ptr<target>> targets_;
  delivery_counters retired_; // of targets a reload removed
  std::uint64_t raised_ = 0;
  std::uint64_t coalesced_before_ = 0; // by the coalescers a reload replaced
  bool started_ = false;
  bool stopping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace copytrader::alerts
