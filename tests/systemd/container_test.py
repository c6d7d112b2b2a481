#!/usr/bin/env python3
"""The shipped unit under a real systemd (issue 18): a minimal Debian root filesystem booted with
systemd-nspawn, the release copytraderd and projectx-sim bound in read-only, the unchanged
systemd/copytraderd.service installed, and the unit driven the way an operator drives it.

Exits 0 when every check holds, 1 when one does not, 77 (skipped, said in the last line) when this
machine cannot run it: not root, a tool missing, no Debian mirror in apt's sources, or a container
that does not boot. Leaves no process, mount or cgroup behind.

Usage: container_test.py --source DIR --daemon PATH --sim PATH [--cache DIR] [--keep]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from host import run
from nspawn import container, leftovers
from rootfs import BASE_PACKAGES, cached_rootfs, debian_mirror_and_suite, runtime_packages, unavailable

SKIPPED = 77
LEADER_KEY = "ct-container-leader-key-5d1f"
FOLLOWER_KEY = "ct-container-follower-key-9a3c"
SIM_PORT = 8443
SIM_CONTROL_PORT = 8444
MES = "CON.F.US.MES.U26"

results = []  # (name, passed, detail)


def say(text):
    print(f"systemd_container: {text}", flush=True)


def skip(why):
    say(f"skipped: {why}")
    sys.exit(SKIPPED)


def check(name, passed, detail=""):
    results.append((name, bool(passed), detail))
    say(f"{'ok  ' if passed else 'FAIL'} {name}" + (f" ({detail})" if detail and not passed else ""))
    return passed


# ---------------------------------------------------------------------------------------------------
# The files an operator installs: the unit unchanged, a configuration, the API keys as credentials.

CONFIG = f"""api:
  base_url: https://127.0.0.1:{SIM_PORT}
  user_hub_url: wss://127.0.0.1:{SIM_PORT}/hubs/user
  ca_file: /etc/copytrader/sim-ca.pem
leader:
  username: leader_user
  api_key_file: leader.key
  account_id: 1001
followers:
  - name: small
    username: follower_user
    api_key_file: follower.key
    account_id: 2001
    size_ratio: 0.5
  - name: big
    username: follower_user
    api_key_file: follower.key
    account_id: 2002
    bracket: fixed
    sl_ticks: 12
    tp_ticks: 20
copy:
  reconcile_interval: 2s
logging:
  level: info
"""

WORLD = {
    "users": [{"username": "leader_user", "api_key": LEADER_KEY},
              {"username": "follower_user", "api_key": FOLLOWER_KEY}],
    "accounts": [{"id": 1001, "username": "leader_user"}, {"id": 2001, "username": "follower_user"},
                 {"id": 2002, "username": "follower_user"}],
}


def write(root, path, text, mode):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


def probe_unit(unit_text):
    """The shipped unit with only what it runs replaced: the sandbox probe, once, under the same [Service]."""
    dropped = ("Type=", "NotifyAccess=", "ExecStart", "ExecReload=", "WatchdogSec=", "Restart", "TimeoutStopSec=")
    lines = [l for l in unit_text.splitlines() if not l.startswith(dropped)]
    at = lines.index("[Service]") + 1
    lines[at:at] = ["Type=oneshot", "ExecStart=/usr/local/bin/sandbox-probe"]
    return "\n".join(lines) + "\n"


def install(root, source, probe):
    unit = open(os.path.join(source, "systemd/copytraderd.service")).read()
    write(root, "/etc/systemd/system/copytraderd.service", unit, 0o644)
    write(root, "/etc/systemd/system/copytrader-sandbox-probe.service", probe_unit(unit), 0o644)
    # As `make install` lays them out: the configuration and the key files under /etc/copytrader.
    os.makedirs(os.path.join(root, "etc/copytrader/credentials"), exist_ok=True)
    os.chmod(os.path.join(root, "etc/copytrader/credentials"), 0o700)
    write(root, "/etc/copytrader/copytrader.yaml", CONFIG, config_mode(source))
    write(root, "/etc/copytrader/credentials/leader.key", LEADER_KEY + "\n", 0o600)
    write(root, "/etc/copytrader/credentials/follower.key", FOLLOWER_KEY + "\n", 0o600)
    write(root, "/etc/projectx-sim/world.json", json.dumps(WORLD), 0o644)
    shutil.copy(probe, os.path.join(root, "usr/local/bin/sandbox-probe"))
    # The container's own name lookups and console need nothing from the host.
    write(root, "/etc/hostname", "copytrader-test\n", 0o644)


def config_mode(source):
    """The mode `make install` gives copytrader.yaml (read from the Makefile, so the two cannot drift)."""
    for line in open(os.path.join(source, "Makefile")):
        if "etc/copytrader.yaml" in line and "install -m" in line:
            return int(line.split("install -m")[1].split()[0], 8)
    raise RuntimeError("Makefile: no install line for etc/copytrader.yaml")


# ---------------------------------------------------------------------------------------------------
# What an operator sees.

def sim_control(box, method, target, body=None):
    args = ["curl", "-s", "-X", method, f"http://127.0.0.1:{SIM_CONTROL_PORT}{target}"]
    if body is not None:
        args += ["-d", json.dumps(body)]
    answer = box.net(args)
    return json.loads(answer.stdout) if answer.returncode == 0 and answer.stdout.strip() else None


def position(box, account):
    ledger = sim_control(box, "GET", f"/ledger?account={account}")
    if not ledger:
        return None
    for p in ledger.get("positions", []):
        if p.get("contractId") == MES:
            return p["size"] if p.get("type") == 1 else -p["size"]
    return 0


def eventually(condition, within=20.0):
    until = time.monotonic() + within
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def show(box, prop, unit="copytraderd"):
    return box.sh(f"systemctl show -P {prop} {unit}").stdout.strip()


def journal(box, unit="copytraderd"):
    entries = []
    for line in box.sh(f"journalctl -u {unit} -o json --no-pager", timeout=60).stdout.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pass
    return entries


def messages(entries):
    return [e.get("MESSAGE", "") if isinstance(e.get("MESSAGE"), str) else "" for e in entries]


def scenario(box):
    sim = box.sh("systemd-run --unit=projectx-sim --property=Type=exec /usr/local/bin/projectx-sim "
                 f"--world /etc/projectx-sim/world.json --port {SIM_PORT} --control-port {SIM_CONTROL_PORT} "
                 "--ca-out /etc/copytrader/sim-ca.pem --ports-out /run/sim-ports.json")
    if not check("projectx-sim runs as a transient unit", sim.returncode == 0, sim.stderr.strip()):
        return
    if not check("projectx-sim listens", eventually(lambda: box.sh("test -s /run/sim-ports.json").returncode == 0)):
        return
    box.sh("chmod 0644 /etc/copytrader/sim-ca.pem")

    checked = box.sh("/usr/local/bin/copytraderd --check-config --config /etc/copytrader/copytrader.yaml")
    check("--check-config passes (keys found in credentials/)", checked.returncode == 0,
          (checked.stdout + checked.stderr).strip()[-400:])

    started = box.sh("systemctl start copytraderd", timeout=90)
    check("systemctl start returns success", started.returncode == 0, started.stderr.strip())
    check("the unit is active", show(box, "ActiveState") == "active",
          show(box, "ActiveState") + "/" + show(box, "SubState") + "\n" + box.sh(
              "journalctl -u copytraderd --no-pager -n 30").stdout)
    said = messages(journal(box))
    ready_at = next((i for i, m in enumerate(said) if m.startswith("copytraderd started")), None)
    active_at = next((i for i, m in enumerate(said) if m.startswith("Started ")), None)
    check("active only after READY=1 (Type=notify: the daemon's start line precedes systemd's 'Started')",
          ready_at is not None and active_at is not None and ready_at < active_at, f"{ready_at} / {active_at}")

    check("copying begins", eventually(lambda: any(m.startswith("copying: ") for m in messages(journal(box))), 30))
    placed = sim_control(box, "POST", "/act", {"account": 1001, "op": "place", "contract_id": MES, "side": 0,
                                                "size": 2, "type": 2})
    check("the leader buys 2 in the simulator", placed is not None)
    check("a leader trade is copied (small 1, big 2)",
          eventually(lambda: position(box, 2001) == 1 and position(box, 2002) == 2, 20),
          f"small {position(box, 2001)}, big {position(box, 2002)}")

    main_pid = show(box, "MainPID")
    reload = box.sh("systemctl reload copytraderd")
    check("systemctl reload succeeds", reload.returncode == 0, reload.stderr.strip())
    check("the reload keeps the main PID", eventually(
        lambda: any(m.startswith("configuration reloaded") for m in messages(journal(box))), 10) and
        show(box, "MainPID") == main_pid, f"{main_pid} -> {show(box, 'MainPID')}")

    good = box.sh("cat /etc/copytrader/copytrader.yaml").stdout
    box.sh("printf 'leader: [unclosed\\n' > /etc/copytrader/copytrader.yaml")
    box.sh("systemctl reload copytraderd")
    check("a bad configuration's reload is refused and logged",
          eventually(lambda: any(m.startswith("reload refused") for m in messages(journal(box))), 10))
    check("the unit stays active on the old configuration, same PID",
          show(box, "ActiveState") == "active" and show(box, "MainPID") == main_pid)
    write_back = subprocess.run(["nsenter", "-t", str(box.leader), "-a", "/bin/sh", "-c",
                                 "cat > /etc/copytrader/copytrader.yaml"], input=good, text=True, timeout=30)
    check("the good configuration is written back", write_back.returncode == 0)

    fields = {}
    for e in journal(box):
        for name in ("FOLLOWER", "TAG", "LEADER_TRADE_ID", "LATENCY_US"):
            if name in e:
                fields[name] = e[name]
    check("the journal carries FOLLOWER=, TAG=, LEADER_TRADE_ID=, LATENCY_US=", len(fields) == 4, str(fields))

    for name, limit in (("MemoryMax", "536870912"), ("TasksMax", "64")):
        check(f"systemctl show reports {name}={limit} (not enforced here: this machine's cgroup controllers)",
              show(box, name) == limit, show(box, name))

    # The watchdog: a short WatchdogSec, then the daemon frozen.
    box.sh("mkdir -p /run/systemd/system/copytraderd.service.d && printf '[Service]\\nWatchdogSec=2s\\nRestartSec=1s\\n'"
           " > /run/systemd/system/copytraderd.service.d/watchdog.conf && systemctl daemon-reload")
    box.sh("systemctl restart copytraderd", timeout=90)
    frozen = show(box, "MainPID")
    restarts = show(box, "NRestarts")
    if not check("the daemon runs again after the drop-in", frozen not in ("", "0"), show(box, "ActiveState")):
        return
    box.sh(f"kill -STOP {frozen}")
    check("a frozen daemon is restarted by the watchdog (result 'watchdog')", eventually(
        lambda: any("watchdog" in m.lower() and "fail" in m.lower() for m in messages(journal(box))), 30) and
        eventually(lambda: show(box, "ActiveState") == "active" and show(box, "MainPID") not in ("0", frozen), 30),
        f"NRestarts {restarts} -> {show(box, 'NRestarts')}, PID {frozen} -> {show(box, 'MainPID')}")
    box.sh("rm -r /run/systemd/system/copytraderd.service.d && systemctl daemon-reload")

    # The defect this tier found (issue 18): a stop just after the start returned went on copying until
    # the grace ran out. Each stop must now be prompt and clean.
    box.sh("systemctl stop copytraderd", timeout=90)
    for attempt in range(3):
        box.sh("systemctl start copytraderd", timeout=90)
        time.sleep(0.03)
        began = time.monotonic()
        stopped = box.sh("systemctl stop copytraderd", timeout=90)
        took = time.monotonic() - began
        check(f"a stop 30 ms after the start returned is prompt and clean (try {attempt + 1})",
              stopped.returncode == 0 and took < 5 and show(box, "Result") == "success",
              f"{took:.1f} s, Result={show(box, 'Result')}")
    said = messages(journal(box))
    last_stop = max((i for i, m in enumerate(said) if m.startswith("received SIGTERM")), default=len(said))
    check("nothing begins copying after the last SIGTERM",
          not any(m.startswith("copying: ") for m in said[last_stop:]))
    check("systemctl stop ends with Result=success", show(box, "Result") == "success", show(box, "Result"))

    # Last: the probe unit shares the daemon's dynamic user and its Runtime/StateDirectory.
    probe = box.sh("systemctl start copytrader-sandbox-probe", timeout=60)
    said = "\n".join(m for m in messages(journal(box, "copytrader-sandbox-probe")) if m.startswith("sandbox-probe"))
    check("the unit's sandbox holds (read-only /etc and /usr, W+X refused, no new privileges, not root)",
          probe.returncode == 0 and "holds" in said and "BROKEN" not in said, said or probe.stderr.strip())

    dump = box.sh("journalctl -o json --no-pager", timeout=60).stdout
    check("no API key in the journal", LEADER_KEY not in dump and FOLLOWER_KEY not in dump)


def stop_on_signal(number, _frame):
    raise SystemExit(f"stopped by signal {number}")  # so that the container is still cleaned up


def main():
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--daemon", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--cache", default=os.environ.get("COPYTRADER_ROOTFS_CACHE", "/var/cache/copytrader-tests"))
    parser.add_argument("--keep", action="store_true", help="keep the unpacked root filesystem (debugging)")
    options = parser.parse_args()

    if os.geteuid() != 0:
        skip("not root (systemd-nspawn needs it)")
    for tool in ("systemd-nspawn", "debootstrap", "nsenter", "curl", "cc", "tar"):
        if shutil.which(tool) is None:
            skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    for binary in (options.daemon, options.sim):
        if not os.access(binary, os.X_OK):
            skip(f"{binary} is not built (make build)")
    mirror, suite = debian_mirror_and_suite()
    if not mirror or not suite:
        skip("no Debian mirror for this release in apt's sources")

    workdir = tempfile.mkdtemp(dir="/var/tmp", prefix="copytrader-container-")
    box = None
    try:
        probe = os.path.join(workdir, "sandbox-probe")
        made = run(["cc", "-O2", "-o", probe, os.path.join(options.source, "tests/systemd/sandbox_probe.c")])
        if made.returncode != 0:
            raise RuntimeError("sandbox_probe.c: " + made.stderr)
        packages = sorted(set(BASE_PACKAGES + runtime_packages([options.daemon, options.sim, probe])))
        try:
            tarball = cached_rootfs(options.cache, packages, suite, mirror, say)
        except unavailable as why:
            skip(str(why))
        root = os.path.join(workdir, "root")
        os.makedirs(root)
        unpacked = run(["tar", "-C", root, "--numeric-owner", "-xzf", tarball], timeout=600)
        if unpacked.returncode != 0:
            raise RuntimeError("tar: " + unpacked.stderr)
        install(root, options.source, probe)

        started = time.monotonic()
        box = container(root, [(os.path.realpath(options.daemon), "/usr/local/bin/copytraderd"),
                               (os.path.realpath(options.sim), "/usr/local/bin/projectx-sim")],
                        os.path.join(workdir, "console.log"))
        state = box.boot()
        if state is None:
            log = open(os.path.join(workdir, "console.log")).read()[-3000:]
            skip(f"the container did not boot (systemd-nspawn): {box.problem}\n" + log)
        say(f"booted in {time.monotonic() - started:.1f} s ({state})")
        scenario(box)
    finally:
        cgroup_dirs = box.cgroup_dirs if box is not None else []
        if box is not None:
            box.close()
        mounts, cgroups = leftovers(workdir, cgroup_dirs)
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"kept {workdir}")
    check("nothing left behind (mounts, cgroups)", not mounts and not cgroups, f"{mounts} {cgroups}")
    failed = [name for name, passed, _ in results if not passed]
    if failed:
        say("failed: " + "; ".join(failed))
    say(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
