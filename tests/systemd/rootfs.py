"""The container tier's root filesystem: a minimal Debian built once with debootstrap, from the mirror
in apt's sources, and cached as a tarball keyed on its package list (the base system's packages and
those holding the libraries the bound-in programs load), so later runs only unpack it."""

import hashlib
import os
import shutil
import tempfile
import time

from host import run

BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "procps", "tzdata"]


class unavailable(Exception):
    """This machine cannot make the root filesystem (the tier is then skipped, saying why)."""


def runtime_packages(binaries):
    """The Debian packages that hold the shared libraries the binaries load."""
    libraries = set()
    for binary in binaries:
        for line in run(["ldd", binary]).stdout.splitlines():
            parts = line.split("=>")
            if len(parts) == 2 and parts[1].split():
                path = parts[1].split()[0]
                if path.startswith("/"):
                    libraries.add(os.path.realpath(path))
    packages = set()
    for library in sorted(libraries):
        owner = run(["dpkg", "-S", library])
        if owner.returncode != 0:  # usr-merge: dpkg knows the /lib spelling
            owner = run(["dpkg", "-S", library.replace("/usr/lib/", "/lib/", 1)])
        if owner.returncode == 0:
            packages.add(owner.stdout.split(":")[0].strip())
    return sorted(packages)


def debian_mirror_and_suite():
    suite = ""
    with open("/etc/os-release") as f:
        for line in f:
            if line.startswith("VERSION_CODENAME="):
                suite = line.split("=", 1)[1].strip().strip('"')
    uris = []
    sources = "/etc/apt/sources.list.d"
    files = [os.path.join(sources, n) for n in sorted(os.listdir(sources))] if os.path.isdir(sources) else []
    for path in files + ["/etc/apt/sources.list"]:
        if not os.path.isfile(path):
            continue
        text = open(path).read()
        if path.endswith(".sources"):  # deb822 blocks
            for block in text.split("\n\n"):
                fields = dict(l.split(":", 1) for l in block.splitlines() if ":" in l and not l.startswith("#"))
                if suite in fields.get("Suites", "").split():
                    uris += fields.get("URIs", "").split()
        else:
            for line in text.splitlines():
                words = line.split()
                if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                    uris.append(words[1])
    return (uris[0] if uris else ""), suite


def cached_rootfs(cache, packages, suite, mirror, say):
    key = hashlib.sha256(("\n".join([suite] + packages)).encode()).hexdigest()[:16]
    tarball = os.path.join(cache, f"rootfs-{suite}-{key}.tar.gz")
    if os.path.exists(tarball):
        say(f"root filesystem: cached ({os.path.basename(tarball)})")
        return tarball
    os.makedirs(cache, exist_ok=True)
    building = tempfile.mkdtemp(dir=cache, prefix="building-")
    try:
        say(f"root filesystem: building with debootstrap ({len(packages)} packages), once")
        started = time.monotonic()
        made = run(["debootstrap", "--variant=minbase", "--include=" + ",".join(packages), suite,
                    os.path.join(building, "root"), mirror], timeout=1200)
        if made.returncode != 0:
            raise unavailable("debootstrap could not build the root filesystem:\n" + made.stdout[-2000:] +
                              made.stderr[-2000:])
        partial = tarball + ".partial"
        packed = run(["tar", "-C", os.path.join(building, "root"), "--numeric-owner", "-czf", partial, "."],
                     timeout=600)
        if packed.returncode != 0:
            raise RuntimeError("tar: " + packed.stderr)
        os.rename(partial, tarball)
        say(f"root filesystem: built in {time.monotonic() - started:.0f} s")
        return tarball
    finally:
        shutil.rmtree(building, ignore_errors=True)
