#include "service/reload.hpp"

namespace copytrader {

config_errors reload_conflicts(const config& running, const config& next) {
  config_errors errors;
  auto refuse = [&](std::string key, const std::string& what) {
    errors.items.push_back(diagnostic{next.file, 0, std::move(key),
                                      what + " cannot change while running; restart the service to apply it"});
  };
  if (running.leader.login.username != next.leader.login.username) refuse("leader.username", "the leader login");
  if (running.leader.account != next.leader.account) refuse("leader.account_id", "the leader account");
  if (running.api.base_url != next.api.base_url) refuse("api.base_url", "the REST gateway");
  if (running.api.user_hub_url != next.api.user_hub_url) refuse("api.user_hub_url", "the user hub");
  if (running.api.ca_file != next.api.ca_file) refuse("api.ca_file", "the extra trust anchor");
  if (running.api.request_timeout != next.api.request_timeout) refuse("api.request_timeout", "the request deadline");
  if (running.api.hub_timeout != next.api.hub_timeout) refuse("api.hub_timeout", "the hub timeout");
  if (running.api.connections_per_login != next.api.connections_per_login)
    refuse("api.connections_per_login", "the connection pools' bound");
  if (running.state.directory != next.state.directory) refuse("state.directory", "the state directory");
  if (running.control.socket != next.control.socket) refuse("control.socket", "the control socket");
  if (running.control.group != next.control.group) refuse("control.group", "the control socket's group");
  if (running.control.metrics_listen != next.control.metrics_listen)
    refuse("control.metrics_listen", "the metrics listener");
  if (running.control.dashboard_listen != next.control.dashboard_listen)
    refuse("control.dashboard_listen", "the dashboard listener");
  if (running.control.dashboard_token != next.control.dashboard_token)
    refuse("control.dashboard_token_file", "the dashboard token");
  return errors;
}

void apply_overrides(config& cfg, const command_line_overrides& overrides) {
  if (overrides.dry_run) cfg.copy.dry_run = true;
}

} // namespace copytrader
