#pragma once
// A local HTTPS receiver that stands in for every alert service (a webhook, Discord, Slack,
// Telegram, ntfy): it listens on 127.0.0.1 with a certificate from a throwaway CA, records each
// POST, and answers as told: 200, 500, 429 with Retry-After, 404, or not at all (it hangs until
// it is destroyed). It runs on a thread of its own, so a test can block on what arrives.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace copytrader::testing {

class alert_receiver {
public:
  enum class answer { ok, server_error, too_many, not_found, hang };

  struct request {
    std::string method;
    std::string target; // the path and query
    std::string content_type;
    std::string body;
  };

  alert_receiver();
  ~alert_receiver();
  alert_receiver(const alert_receiver&) = delete;
  alert_receiver& operator=(const alert_receiver&) = delete;

  [[nodiscard]] unsigned short port() const noexcept { return port_; }
  // https://127.0.0.1:<port><path>
  [[nodiscard]] std::string url(std::string_view path = "/") const;
  // The CA to trust (api.ca_file).
  [[nodiscard]] const std::string& ca_pem() const noexcept { return ca_pem_; }

  // How to answer every request, or (with a path) the requests to that path and query.
  void set_answer(answer a, std::string path = {});
  [[nodiscard]] std::vector<request> requests() const;
  // Waits until `count` requests have arrived (answered or not); false at `limit`.
  bool wait_for(std::size_t count, std::chrono::milliseconds limit) const;

  struct state; // the server thread's

private:
  std::unique_ptr<state> state_;
  std::string ca_pem_;
  unsigned short port_ = 0;
  std::thread thread_;
};

} // namespace copytrader::testing
