#!/usr/bin/env bash
# Scores a unit with `systemd-analyze security --offline=true` and fails above the given exposure.
# Usage: unit_security.sh UNIT_FILE MAX_EXPOSURE. Exit 77 (skipped) where systemd-analyze is absent.
set -euo pipefail
unit=$1
max=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed, so the unit's exposure cannot be scored here"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$unit" "$work/"
cd "$work"
output=$(systemd-analyze security --offline=true "$(basename "$unit")" 2>&1) || true
score=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n1)
if [ -z "$score" ]; then
  printf '%s\n' "$output"
  echo "FAIL: no exposure score in the output of systemd-analyze"
  exit 1
fi
echo "exposure of $(basename "$unit"): $score (must be <= $max)"
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' || { echo "FAIL: $score > $max"; exit 1; }
