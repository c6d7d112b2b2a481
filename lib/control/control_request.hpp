#pragma once
// The control socket's requests, sans-I/O: one line of JSON per request (copytraderctl writes them),
// parsed strictly. Anything malformed, oversized or unknown becomes an error the server answers with;
// the connection stays usable and the daemon never depends on the client being well-behaved.
//
//   {"command":"status"}                 {"command":"stats"}              {"command":"reset-breaker"}
//   {"command":"enable","name":"small"}  {"command":"enable","name":"small","catch_up":true}
//   {"command":"disable","name":"small"}
//   {"command":"flatten","name":"small"} {"command":"flatten","all":true} {"command":"reload"}
//   {"command":"test-alert"}             {"command":"test-alert","name":"phone"}  {"command":"dashboard"}
//   {"command":"copy","side":"long","size":2,"sl_ticks":8,"tp_ticks":12,"strategy":"s",
//    "contract":"CON.F.US.MES.U26","dry_run":true}

#include "core/failure.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::control {

inline constexpr std::size_t max_request_bytes = 4096;

enum class command {
  status,
  stats,
  reset_breaker,
  enable,
  disable,
  flatten,
  reload,
  copy,
  risk,
  unlock,
  test_alert,
  dashboard
};
std::string_view to_string(command c) noexcept;

// A manual signal, copied to the followers as a leader entry would be.
struct copy_signal {
  bool long_side = true;
  std::int32_t size = 0;
  std::optional<std::int32_t> sl_ticks;
  std::optional<std::int32_t> tp_ticks;
  std::optional<std::string> strategy;
  std::string contract; // the leader contract it stands for; "" = each follower's contract_id
  bool dry_run = false;
};

struct request {
  command what = command::status;
  std::string name;      // enable, disable, flatten (empty with all); risk, test-alert (empty: all)
  bool all = false;      // flatten --all
  bool catch_up = false; // enable --catch-up: join the leader's current episode now
  std::optional<copy_signal> signal;
};

// One line, without its newline.
outcome<request> parse_request(std::string_view line);

// Response lines (each ends with '\n'): {"ok":true,"result":...} or {"ok":false,"error":"..."}.
std::string ok_response(std::string_view result_json);
std::string error_response(std::string_view message);

} // namespace copytrader::control
