// A test-only LD_PRELOAD library for faults.md F8: while the file named by
// COPYTRADER_TEST_DISK_FULL exists, every pwrite, fsync and fdatasync of the process fails with
// ENOSPC, as on a full disk. Sockets and the log (plain write) are untouched.

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace {

template <typename F>
F next_definition(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

bool disk_is_full() {
  const char* flag = std::getenv("COPYTRADER_TEST_DISK_FULL");
  struct stat st {};
  return flag != nullptr && ::stat(flag, &st) == 0;
}

} // namespace

extern "C" {

ssize_t pwrite64(int fd, const void* buffer, size_t count, off_t offset) {
  static auto* real = next_definition<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64");
  if (disk_is_full()) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buffer, count, offset);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) { return pwrite64(fd, buffer, count, offset); }

int fsync(int fd) {
  static auto* real = next_definition<int (*)(int)>("fsync");
  if (disk_is_full()) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd);
}

int fdatasync(int fd) {
  static auto* real = next_definition<int (*)(int)>("fdatasync");
  if (disk_is_full()) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd);
}

} // extern "C"
