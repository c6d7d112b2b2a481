"""Host commands for the container tier: one place that runs a program and captures what it said."""

import subprocess


def run(args, timeout=120, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
