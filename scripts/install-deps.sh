#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, and nothing when all are present.
# Runs as root (apt-get directly) or through sudo otherwise.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache clang libclang-rt-14-dev
  libboost1.81-dev libssl-dev openssl ca-certificates
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libsystemd-dev systemd
  libsqlite3-dev catch2
  libhowardhinnant-date-dev tzdata libfaketime faketime
  util-linux
  python3
  debootstrap systemd-container curl
  chromium chromium-driver python3-selenium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo is available" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
