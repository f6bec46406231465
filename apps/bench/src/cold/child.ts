/**
 * One cold-tier sample in a fresh process:
 *
 *   node dist/cold/child.js w1 R | w1-plain R | w2 N Float64Array|number[] | w3 serial|parallel [quick]
 *
 * Loads only what its figure needs, times `exp.run()` only (as the Python anchor scripts time
 * it), writes under `CZ_BENCH_DIR`, and prints `{ run_ms, ..., max_rss_mb }` as its last line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printReport } from './child-report.js';

const dir = process.env.CZ_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'cz-bench-child-'));
const [figure = '', ...args] = process.argv.slice(2);

async function w1(replicates: number): Promise<void> {
  const { w1Experiment, STEPS } = await import('../workloads/w1-steps.js');
  const exp = w1Experiment(join(dir, 'data'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await exp.run({ replicates });
  const runMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const ys = result.metrics.baseline.metrics.y ?? [];
  if (ys.length !== replicates) throw new Error(`W1: ${ys.length} metrics for ${replicates}`);
  printReport({
    run_ms: runMs,
    // CPU time of the run (all threads): steadier than wall time on a shared machine.
    run_cpu_ms: (cpu.user + cpu.system) / 1000,
    replicates,
    step_calls: 2 * replicates * STEPS,
  });
}

async function w1Plain(replicates: number): Promise<void> {
  const { w1Plain: plain } = await import('../workloads/w1-plain.js');
  const t0 = performance.now();
  plain(replicates);
  printReport({ run_ms: performance.now() - t0, replicates });
}

async function w2(n: number, kind: string): Promise<void> {
  if (kind !== 'Float64Array' && kind !== 'number[]') throw new Error(`W2: unknown kind ${kind}`);
  const { w2Experiment, w2Plain, W2_REPLICATES } = await import('../workloads/w2-steps.js');
  const typed = kind === 'Float64Array';
  const exp = w2Experiment(n, typed, dir, join(dir, 'cache'));
  let t0 = performance.now();
  await exp.run({ replicates: W2_REPLICATES });
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  const warm = await exp.run({ replicates: W2_REPLICATES });
  const runMs = performance.now() - t0;
  const hits = Object.values(warm.provenance.ctxChanges.baseline ?? {})
    .flat()
    .filter((r) => r.cacheHit).length;
  if (hits !== W2_REPLICATES) throw new Error(`W2: ${hits} cache hits on the second run`);
  t0 = performance.now();
  w2Plain(n, typed);
  const plainMs = performance.now() - t0;
  printReport({ run_ms: runMs, first_run_ms: firstMs, plain_ms: plainMs, n, kind, hits });
}

async function w3(mode: string, quick: boolean): Promise<void> {
  const experiments = await import('../workloads/w3-experiments.js');
  const exp =
    mode === 'serial'
      ? quick
        ? experiments.w3QuickSerial
        : experiments.w3Serial
      : mode === 'parallel'
        ? quick
          ? experiments.w3QuickParallel
          : experiments.w3Parallel
        : undefined;
  if (!exp) throw new Error(`W3: unknown mode ${mode}; use serial or parallel`);
  const t0 = performance.now();
  const result = await exp.run({ replicates: 16 });
  const runMs = performance.now() - t0;
  if ('close' in exp.execution && typeof exp.execution.close === 'function')
    await exp.execution.close();
  printReport({
    run_ms: runMs,
    mode,
    metrics: JSON.stringify(result.metrics.baseline.metrics),
    seeds: JSON.stringify(result.provenance.seeds),
  });
}

switch (figure) {
  case 'w1':
    await w1(Number(args[0] ?? 2000));
    break;
  case 'w1-plain':
    await w1Plain(Number(args[0] ?? 2000));
    break;
  case 'w2':
    await w2(Number(args[0] ?? 1_000_000), args[1] ?? 'Float64Array');
    break;
  case 'w3':
    await w3(args[0] ?? 'serial', args[1] === 'quick');
    break;
  default:
    throw new Error(`Unknown cold-tier figure '${figure}'; use w1, w1-plain, w2 or w3`);
}
