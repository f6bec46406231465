"""W3 anchor: 16 replicates of a pure-CPU step of ~100 ms, the first ``exp.run()`` of the process
(pool start included). ``serial`` is the default SerialExecution; ``parallel`` is
``ParallelExecution(executor_type="process")`` with its default worker count (cpu_count - 1; the
default thread executor cannot run Python CPU work in parallel); ``parallel-tuned`` sets
``max_workers`` to the core count. Each mode runs in its own fresh process.

usage: python3 w3.py serial|parallel|parallel-tuned [ITERATIONS]
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

from _anchor import out_dir, report, timed

from crystallize import (
    ArtifactPlugin,
    Experiment,
    LoggingPlugin,
    ParallelExecution,
    Pipeline,
    SerialExecution,
    data_source,
    pipeline_step,
)

REPLICATES = 16
# ~100 ms of pure CPU per replicate in CPython 3.11 on this project's machines.
ITERATIONS = 1_800_000


@data_source
def replicate_index(ctx):
    return ctx.get("replicate", 0)


@pipeline_step()
def burn(data, ctx, iterations=ITERATIONS):
    x = data + 1
    for _ in range(iterations):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
    ctx.metrics.add("burn", x)
    return x


def make(mode: str, iterations: int) -> Experiment:
    if mode == "serial":
        execution = SerialExecution()
    elif mode == "parallel":
        execution = ParallelExecution(executor_type="process")
    elif mode == "parallel-tuned":
        execution = ParallelExecution(executor_type="process", max_workers=os.cpu_count() or 2)
    else:
        raise SystemExit(f"W3 anchor: unknown mode {mode!r}; use serial, parallel or parallel-tuned")
    return Experiment(
        datasource=replicate_index(),
        pipeline=Pipeline([burn(iterations=iterations)]),
        plugins=[
            ArtifactPlugin(root_dir=os.path.join(out_dir(), "data")),
            LoggingPlugin(log_level="WARNING"),
            execution,
        ],
        name=f"w3-{mode}",
        replicates=REPLICATES,
    )


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "serial"
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else ITERATIONS
    exp = make(mode, iterations)
    run_ms, result = timed(exp.run)
    burns = list(result.metrics.baseline.metrics.get("burn", []))
    if len(burns) != REPLICATES:
        raise SystemExit(f"W3 anchor: expected {REPLICATES} metrics, got {len(burns)}")
    digest = hashlib.sha256(json.dumps(burns).encode()).hexdigest()[:16]
    report(run_ms=run_ms, mode=mode, replicates=REPLICATES, metrics_digest=digest)
