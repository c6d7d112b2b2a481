#include "control/control_server.hpp"

#include "core/crash_point.hpp"

#include "control/line_reader.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace copytrader::control {
namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string errno_text(int e) { return std::strerror(e); }

} // namespace

outcome<std::unique_ptr<control_server>> control_server::open(background_tasks& tasks,
                                                              const std::filesystem::path& path, access_policy policy,
                                                              request_handler handler) {
  std::error_code fs_error;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), fs_error)) {
    std::filesystem::create_directories(path.parent_path(), fs_error);
    if (fs_error)
      return failure("control socket: cannot create " + path.parent_path().string() + ": " + fs_error.message());
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms(0750), fs_error);
  }
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode))
      return failure("control socket: " + path.string() + " exists and is not a socket; refusing to replace it");
    ::unlink(path.c_str()); // left by a daemon that did not stop cleanly
  }
  stream::acceptor acceptor(tasks.executor());
  boost::system::error_code ec;
  acceptor.open(stream(), ec);
  if (!ec) acceptor.bind(stream::endpoint(path.string()), ec);
  if (!ec) acceptor.listen(static_cast<int>(max_connections), ec);
  if (ec) return failure("control socket: cannot listen on " + path.string() + ": " + ec.message());
  if (::chmod(path.c_str(), 0660) != 0)
    return failure("control socket: cannot set mode 0660 on " + path.string() + ": " + errno_text(errno));
  if (policy.group && ::chown(path.c_str(), static_cast<uid_t>(-1), *policy.group) != 0)
    return failure("control socket: cannot give " + path.string() + " to group " + std::to_string(*policy.group) +
                   ": " + errno_text(errno));
  return std::unique_ptr<control_server>(
      new control_server(tasks, std::move(acceptor), path, policy, std::move(handler)));
}

control_server::control_server(background_tasks& tasks, stream::acceptor acceptor, std::filesystem::path path,
                               access_policy policy, request_handler handler)
    : tasks_(tasks),
      acceptor_(std::move(acceptor)),
      path_(std::move(path)),
      policy_(policy),
      handler_(std::move(handler)) {}

control_server::~control_server() { stop(); }

void control_server::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (const auto& c : connections_) c->close(ignored);
  ::unlink(path_.c_str());
}

asio::awaitable<void> control_server::run() {
  while (!stopped_) {
    auto [ec, accepted] = co_await acceptor_.async_accept(tuple_awaitable);
    if (stopped_) break;
    if (ec) {
      co_await wait_after_failed_accept(accept_backoff_, accept_pause_, "control socket", ec);
      continue;
    }
    if (const auto failures = accept_backoff_.succeeded(); failures > 0)
      spdlog::info("control socket: accepting again after {} failed attempts", failures);
    auto connection = std::make_shared<socket>(std::move(accepted));
    if (connections_.size() >= max_connections) {
      boost::system::error_code ignored;
      // A short line into an empty socket buffer: the kernel takes it without waiting.
      asio::write(*connection, asio::buffer(error_response("too many control connections; try again")), ignored);
      continue;
    }
    connections_.insert(connection);
    tasks_.spawn("control connection", serve(connection));
  }
}

asio::awaitable<void> control_server::serve(std::shared_ptr<socket> connection) {
  const scope_exit ended([this, connection] {
    boost::system::error_code ignored;
    connection->close(ignored);
    connections_.erase(connection);
  });
  fail_point("control_connection"); // the failure policy's test: a connection's task that throws
  // The kernel's word on who connected, before a byte is read.
  ucred cred{};
  socklen_t length = sizeof cred;
  peer_identity peer;
  if (::getsockopt(connection->native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0) {
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
    if (policy_.group) peer.groups = supplementary_groups(cred.pid);
  } else {
    peer.uid = static_cast<uid_t>(-1);
  }
  if (!peer_allowed(peer, policy_)) {
    const std::string reason = refusal_reason(peer, policy_);
    spdlog::warn("control socket: refused a connection from uid {} (pid {})", peer.uid, peer.pid);
    co_await asio::async_write(*connection, asio::buffer(error_response(reason)), tuple_awaitable);
  } else {
    line_reader lines(max_request_bytes);
    std::array<char, 4096> buffer{};
    bool open = true;
    while (open && !stopped_) {
      auto [ec, n] = co_await connection->async_read_some(asio::buffer(buffer), tuple_awaitable);
      if (ec) break;
      lines.feed(std::string_view(buffer.data(), n));
      while (auto item = lines.next()) {
        open = co_await answer(*connection, *item);
        if (!open) break;
      }
    }
  }
  co_return;
}

// One request in, one response line out; false when the peer is gone.
asio::awaitable<bool> control_server::answer(socket& connection, const line_item& line) {
  std::string response;
  if (line.oversized) {
    response = error_response("request larger than " + std::to_string(max_request_bytes) + " bytes");
  } else if (line.text.empty()) {
    co_return true; // a blank line asks nothing
  } else {
    auto parsed = parse_request(line.text);
    if (!parsed) {
      response = error_response(parsed.error().message);
    } else {
      try {
        response = co_await handler_(std::move(*parsed));
      } catch (const std::exception& e) {
        spdlog::error("control socket: a request failed unexpectedly: {}", e.what());
        response = error_response(std::string("internal error: ") + e.what());
      }
    }
  }
  auto [ec, n] = co_await asio::async_write(connection, asio::buffer(response), tuple_awaitable);
  co_return !ec;
}

} // namespace copytrader::control
