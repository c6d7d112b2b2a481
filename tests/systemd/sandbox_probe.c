/* Run by the container tier in place of copytraderd under the shipped unit's own [Service] sandbox:
 * prints one line per property, "holds" or "BROKEN", and exits 1 if any is broken. It checks what
 * the unit promises an operator, from the inside, instead of trusting systemd-analyze's score. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int broken = 0;

static void report(const char* property, int holds, const char* detail) {
  printf("sandbox-probe: %s: %s (%s)\n", property, holds ? "holds" : "BROKEN", detail);
  if (!holds) broken = 1;
}

static int read_only(const char* path) {
  struct statvfs s;
  return statvfs(path, &s) == 0 && (s.f_flag & ST_RDONLY) != 0;
}

int main(void) {
  char detail[256];

  report("/etc is read-only", read_only("/etc"), "ProtectSystem=strict");
  report("/usr is read-only", read_only("/usr"), "ProtectSystem=strict");

  void* wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  snprintf(detail, sizeof detail, "MemoryDenyWriteExecute=yes; mmap: %s", wx == MAP_FAILED ? strerror(errno) : "mapped");
  report("a writable and executable mapping is refused", wx == MAP_FAILED, detail);

  report("no new privileges", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "NoNewPrivileges=yes");

  snprintf(detail, sizeof detail, "DynamicUser=yes; uid %u", (unsigned)getuid());
  report("not root", getuid() != 0 && geteuid() != 0, detail);

  /* The one place it may write: its StateDirectory. */
  const char* state = getenv("STATE_DIRECTORY");
  char path[512];
  snprintf(path, sizeof path, "%s/probe", state != NULL ? state : "/var/lib/copytrader");
  const int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  report("its state directory is writable", fd >= 0, path);
  if (fd >= 0) {
    close(fd);
    unlink(path);
  }

  const int etc = open("/etc/copytrader/probe", O_CREAT | O_WRONLY, 0600);
  snprintf(detail, sizeof detail, "open: %s", etc >= 0 ? "created" : strerror(errno));
  report("nothing is written under /etc/copytrader", etc < 0, detail);
  if (etc >= 0) close(etc);

  return broken;
}
