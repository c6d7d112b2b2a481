#pragma once
// Who may use the control socket: root, the daemon's own user, or a member of control.group. The
// kernel vouches for the peer (SO_PEERCRED); its supplementary groups come from /proc, which is
// memory, not disk, and needs no name service (a lookup that could block the io thread).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace copytrader::control {

struct peer_identity {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups; // supplementary
};

struct access_policy {
  uid_t own_uid = 0;
  std::optional<gid_t> group; // control.group, resolved at start
};

[[nodiscard]] bool peer_allowed(const peer_identity& peer, const access_policy& policy);

// The "Groups:" line of /proc/<pid>/status.
std::vector<gid_t> parse_status_groups(std::string_view status_text);
std::vector<gid_t> supplementary_groups(pid_t pid);

// Why a peer was refused, for the reply and the log.
std::string refusal_reason(const peer_identity& peer, const access_policy& policy);

} // namespace copytrader::control
