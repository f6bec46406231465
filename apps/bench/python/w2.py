"""W2 anchor: one cacheable step mapping 1,000,000 floats (``x * 1.5 + 1``), 5 replicates with
distinct inputs. The first ``exp.run()`` fills the cache; the second, in the same process, is
all hits and is the one timed (per hit = its time / 5).

usage: python3 w2.py N list|ndarray
"""

from __future__ import annotations

import os
import sys

from _anchor import out_dir, report, timed

# crystallize-ml reads its cache folder once, at import.
os.environ["CRYSTALLIZE_CACHE_DIR"] = os.path.join(out_dir(), "cache")

from crystallize import (  # noqa: E402
    ArtifactPlugin,
    Experiment,
    LoggingPlugin,
    Pipeline,
    data_source,
    pipeline_step,
)

REPLICATES = 5
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
KIND = sys.argv[2] if len(sys.argv) > 2 else "list"


@data_source
def floats(ctx):
    rep = ctx.get("replicate", 0)
    if KIND == "ndarray":
        import numpy as np

        return np.arange(N, dtype=np.float64) + rep * 0.5
    return [i + rep * 0.5 for i in range(N)]


@pipeline_step(cacheable=True)
def affine(data, ctx):
    if KIND == "ndarray":
        return data * 1.5 + 1
    return [x * 1.5 + 1 for x in data]


def make() -> Experiment:
    return Experiment(
        datasource=floats(),
        pipeline=Pipeline([affine()]),
        plugins=[
            ArtifactPlugin(root_dir=os.path.join(out_dir(), "data")),
            LoggingPlugin(log_level="WARNING"),
        ],
        name=f"w2-{KIND}",
        replicates=REPLICATES,
    )


if __name__ == "__main__":
    exp = make()
    first_ms, _ = timed(exp.run)
    second_ms, result = timed(exp.run)
    changes = result.provenance.get("ctx_changes", {}).get("baseline", {})
    hits = sum(1 for steps in changes.values() for step in steps if step.get("cache_hit"))
    if hits != REPLICATES:
        raise SystemExit(f"W2 anchor: expected {REPLICATES} cache hits, got {hits}")
    report(
        run_ms=second_ms,
        first_run_ms=first_ms,
        per_hit_ms=second_ms / REPLICATES,
        replicates=REPLICATES,
        n=N,
        kind=KIND,
        hits=hits,
    )
