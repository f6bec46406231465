"""W1 / W4 anchor: baseline + one treatment x R replicates x 10 trivial steps (``x + delta``,
the last one records a metric), serial, default plugins. Times the first ``exp.run()``.

usage: python3 w1.py R
"""

from __future__ import annotations

import os
import sys

from _anchor import out_dir, report, timed

from crystallize import (
    ArtifactPlugin,
    Experiment,
    LoggingPlugin,
    Pipeline,
    data_source,
    pipeline_step,
    treatment,
)

STEPS = 10


@data_source
def replicate_index(ctx):
    return ctx.get("replicate", 0)


@pipeline_step()
def add_delta(data, ctx, delta=1):
    return data + delta


@pipeline_step()
def add_and_record(data, ctx, delta=1):
    y = data + delta
    ctx.metrics.add("y", y)
    return y


def make(replicates: int) -> Experiment:
    return Experiment(
        datasource=replicate_index(),
        pipeline=Pipeline([add_delta() for _ in range(STEPS - 1)] + [add_and_record()]),
        plugins=[
            ArtifactPlugin(root_dir=os.path.join(out_dir(), "data")),
            LoggingPlugin(log_level="WARNING"),
        ],
        name="w1-overhead",
        treatments=[treatment("plus2", {"delta": 2})],
        replicates=replicates,
    )


if __name__ == "__main__":
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    exp = make(replicates)
    run_ms, result = timed(exp.run)
    ys = result.metrics.baseline.metrics.get("y", [])
    if len(ys) != replicates:
        raise SystemExit(f"W1 anchor: expected {replicates} baseline metrics, got {len(ys)}")
    report(run_ms=run_ms, replicates=replicates, step_calls=2 * replicates * STEPS)
