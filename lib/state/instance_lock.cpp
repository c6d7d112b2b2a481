#include "state/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace copytrader {

outcome<instance_lock> instance_lock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return failure{"cannot create state directory " + dir.string() + ": " + ec.message()};
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec); // best effort; systemd sets it too

  const std::filesystem::path path = dir / "copytraderd.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return failure{"cannot open " + path.string() + ": " + std::strerror(errno)};

  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("unknown");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    if (err == EWOULDBLOCK) {
      return failure{"another copytraderd (pid " + holder + ") is already running on state directory " + dir.string()};
    }
    return failure{"cannot lock " + path.string() + ": " + std::strerror(err)};
  }

  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd);
    return failure{"cannot write " + path.string() + ": " + std::strerror(err)};
  }
  return instance_lock(fd);
}

instance_lock::~instance_lock() {
  if (fd_ >= 0) ::close(fd_);
}

} // namespace copytrader
