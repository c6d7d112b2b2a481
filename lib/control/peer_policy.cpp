#include "control/peer_policy.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace copytrader::control {

bool peer_allowed(const peer_identity& peer, const access_policy& policy) {
  if (peer.uid == 0 || peer.uid == policy.own_uid) return true;
  if (!policy.group) return false;
  return peer.gid == *policy.group ||
         std::find(peer.groups.begin(), peer.groups.end(), *policy.group) != peer.groups.end();
}

std::vector<gid_t> parse_status_groups(std::string_view status_text) {
  std::vector<gid_t> out;
  constexpr std::string_view key = "Groups:";
  std::size_t at = 0;
  while (at < status_text.size()) {
    auto end = status_text.find('\n', at);
    if (end == std::string_view::npos) end = status_text.size();
    std::string_view line = status_text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    line.remove_prefix(key.size());
    while (!line.empty()) {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.empty()) break;
      gid_t gid = 0;
      auto [next, ec] = std::from_chars(line.data(), line.data() + line.size(), gid);
      if (ec != std::errc()) break;
      out.push_back(gid);
      line.remove_prefix(static_cast<std::size_t>(next - line.data()));
    }
    break;
  }
  return out;
}

std::vector<gid_t> supplementary_groups(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_status_groups(text.str());
}

std::string refusal_reason(const peer_identity& peer, const access_policy& policy) {
  std::string out = "permission denied: uid " + std::to_string(peer.uid) +
                    " may not use the control socket (root, uid " + std::to_string(policy.own_uid);
  if (policy.group) out += ", or members of group " + std::to_string(*policy.group);
  return out + " may)";
}

} // namespace copytrader::control
