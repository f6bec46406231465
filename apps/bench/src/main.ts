/**
 * `pnpm bench [--quick] [--tier warm|cold|all] [--processes N] [--python] [ID ...]` — runs the
 * BENCH.md workloads against the built packages and prints one JSON object per line on stdout,
 * each tagged with its tier. Add a workload: one file, one entry in the list below.
 */
import { CrystallizeError } from '@crystallize/core';
import type { BenchLine, Workload } from './harness.js';
import { importTime } from './cold/import-time.js';
import { findPythonAnchor } from './cold/python-anchor.js';
import { w1Cold } from './cold/w1-cold.js';
import { w2Cold } from './cold/w2-cold.js';
import { w3Cold } from './cold/w3-cold.js';
import { w5Distributed } from './cold/w5-distributed.js';
import { parseOptions, selectWorkloads } from './options.js';
import { w1Overhead } from './workloads/w1-overhead.js';
import { w2Cache } from './workloads/w2-cache.js';
import { w2ExperimentWorkload } from './workloads/w2-experiment.js';
import { w3ParallelWorkload } from './workloads/w3-parallel.js';
import { w4Scale } from './workloads/w4-scale.js';
import { w6Report } from './workloads/w6-report.js';

const WORKLOADS: readonly Workload[] = [
  // warm: in one process, after warm-up runs
  w1Overhead,
  w2Cache,
  w2ExperimentWorkload,
  w3ParallelWorkload,
  w6Report,
  // cold: every figure from fresh processes
  importTime,
  w1Cold,
  w2Cold,
  w3Cold,
  w4Scale,
  w5Distributed,
];

async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  const selected = selectWorkloads(WORKLOADS, options);
  const python = options.python ? findPythonAnchor() : undefined;
  if (python) {
    process.stderr.write(
      `# python: crystallize-ml ${python.version} from ${python.src} with ${python.python}\n`,
    );
  }
  for (const workload of selected) {
    const { tier } = workload;
    const emit = (l: BenchLine): void =>
      void process.stdout.write(JSON.stringify({ ...l, tier }) + '\n');
    const note = options.quick ? ' (quick)' : '';
    process.stderr.write(`# ${workload.id} [${tier}]: ${workload.description}${note}\n`);
    await workload.run({
      quick: options.quick,
      runs: options.quick ? 5 : 9,
      processes: options.processes,
      ...(python ? { python } : {}),
      emit,
    });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Our own errors say what and how to fix; a stack would bury that.
  const text =
    error instanceof CrystallizeError
      ? `${error.name}: ${error.message}`
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${text}\n`);
  process.exitCode = 1;
});
