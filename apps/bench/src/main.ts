/**
 * `pnpm bench [--quick] [W2 ...]` — runs the BENCH.md workloads against the built packages and
 * prints one JSON object per line on stdout. Add a workload: one file in `workloads/`, one entry
 * in the list below.
 */
import type { BenchLine, Workload } from './harness.js';
import { w1Overhead } from './workloads/w1-overhead.js';
import { w2Cache } from './workloads/w2-cache.js';
import { w2Experiment } from './workloads/w2-experiment.js';
import { w3ParallelWorkload } from './workloads/w3-parallel.js';
import { w4Scale } from './workloads/w4-scale.js';
import { w6Report } from './workloads/w6-report.js';

const WORKLOADS: readonly Workload[] = [
  w1Overhead,
  w2Cache,
  w2Experiment,
  w3ParallelWorkload,
  w4Scale,
  w6Report,
];

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const wanted = argv.filter((a) => !a.startsWith('--')).map((a) => a.toUpperCase());
  const unknown = wanted.filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown workload ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.id).join(', ')}`,
    );
  }
  const emit = (l: BenchLine): void => void process.stdout.write(JSON.stringify(l) + '\n');
  for (const workload of WORKLOADS) {
    if (wanted.length > 0 && !wanted.includes(workload.id)) continue;
    process.stderr.write(`# ${workload.id}: ${workload.description}${quick ? ' (quick)' : ''}\n`);
    await workload.run({ quick, runs: quick ? 5 : 9, emit });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
