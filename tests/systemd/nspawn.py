"""A systemd-nspawn container booted from a cgroup of its own (so that cleanup is a kill and an rmdir:
nspawn otherwise leaves empty cgroup directories that break a later boot), driven through nsenter
(machinectl cannot reach it here), and always torn down."""

import os
import signal
import subprocess
import time

from host import run


def cgroup_dirs(name):
    """Where a cgroup of our own goes: nspawn and the container's systemd then leave nothing elsewhere."""
    if os.path.isdir("/sys/fs/cgroup/unified"):  # hybrid: the named systemd hierarchy and the v2 one
        return [f"/sys/fs/cgroup/systemd/{name}", f"/sys/fs/cgroup/unified/{name}"]
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):  # unified (v2) only
        return [f"/sys/fs/cgroup/{name}"]
    return [f"/sys/fs/cgroup/systemd/{name}"]  # legacy v1


class container:
    def __init__(self, root, binds, log_path):
        self.root = root
        self.cgroup_dirs = cgroup_dirs(f"copytrader-test-{os.getpid()}")
        self.log = open(log_path, "w")
        self.process = None
        self.leader = None
        args = ["systemd-nspawn", "-D", root, "-b", "--register=no", "--keep-unit", "--console=pipe",
                "--private-network"]
        for source, target in binds:
            args.append(f"--bind-ro={source}:{target}")
        for d in self.cgroup_dirs:
            os.makedirs(d, exist_ok=True)

        def join_cgroup():
            for d in self.cgroup_dirs:
                with open(os.path.join(d, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
            os.setsid()

        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                        preexec_fn=join_cgroup)

    def boot(self, within=90):
        """The system's state once booted, or None; why not in self.problem."""
        until = time.monotonic() + within
        state = ""
        while time.monotonic() < until and self.process.poll() is None:
            # nspawn's first child may be a short-lived helper: look again until the child is systemd.
            if self.leader is None or not os.path.exists(f"/proc/{self.leader}"):
                self.leader = self.init_child()
            if self.leader is not None:
                answer = self.sh("systemctl is-system-running")
                state = (answer.stdout + answer.stderr).strip()
                if answer.stdout.strip() in ("running", "degraded"):
                    return answer.stdout.strip()
            time.sleep(0.5)
        self.problem = f"nspawn exit {self.process.poll()}, container leader {self.leader}, system state '{state}'"
        return None

    def init_child(self):
        for pid in run(["ps", "--ppid", str(self.process.pid), "-o", "pid="]).stdout.split():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "systemd":
                        return int(pid)
            except OSError:
                pass
        return None

    def sh(self, command, timeout=120):
        return run(["nsenter", "-t", str(self.leader), "-a", "/bin/sh", "-c", command], timeout=timeout)

    def net(self, args, timeout=30):
        """A host program inside the container's network namespace only (the container has no curl)."""
        return run(["nsenter", "-t", str(self.leader), "-n"] + args, timeout=timeout)

    def close(self):
        if self.process is not None and self.process.poll() is None:
            if self.leader is not None:
                self.sh("systemctl poweroff --no-block", timeout=30)
            else:
                self.process.send_signal(signal.SIGTERM)  # nspawn asks the container to power off
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=30)
        # Whatever outlived nspawn (its init is not its child's child once nspawn is killed) is in our
        # cgroups: killed, then the empty directories removed, deepest first.
        for _ in range(20):
            remaining = self.processes()
            if not remaining:
                break
            for pid in remaining:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.25)
        for d in self.cgroup_dirs:
            for top, _, _ in os.walk(d, topdown=False):
                try:
                    os.rmdir(top)
                except OSError:
                    pass
        self.log.close()

    def processes(self):
        pids = set()
        for d in self.cgroup_dirs:
            for top, _, files in os.walk(d):
                if "cgroup.procs" in files:
                    with open(os.path.join(top, "cgroup.procs")) as f:
                        pids.update(int(p) for p in f.read().split())
        return sorted(pids)


def leftovers(workdir, cgroup_dirs):
    mounts = [l.split()[1] for l in open("/proc/mounts") if l.split()[1].startswith(workdir)]
    cgroups = [d for d in cgroup_dirs if os.path.exists(d)]
    return mounts, cgroups
