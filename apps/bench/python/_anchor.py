"""Shared helpers of the Python anchor scripts (crystallize-ml 0.27, BENCH.md workload shapes).

Each anchor runs in a fresh ``python3`` process with ``PYTHONPATH`` pointing at a crystallize-ml
checkout, times ``exp.run()`` only, and prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM where /proc has it), in MB (MiB, as the Node side)."""
    try:
        with open("/proc/self/status", encoding="utf8") as f:
            for row in f:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    """Milliseconds one call of ``fn`` takes, and what it returned."""
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def report(**fields) -> None:
    fields["max_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def out_dir() -> str:
    """Where the run writes its artifacts (the Node parent makes and removes it)."""
    return os.environ.get("CZ_BENCH_DIR") or os.getcwd()
