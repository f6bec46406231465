/**
 * One W5 sample in a fresh process:
 *
 *   node dist/cold/w5-child.js distributed|quick|trivial|trivial-serial R
 *
 * Times `exp.run()` only and prints `{ run_ms, replicates, metrics, seeds, max_rss_mb }`.
 */
import { printReport } from './child-report.js';

const [mode = '', count = '16'] = process.argv.slice(2);
const replicates = Number(count);
const w5 = await import('../workloads/w5-experiments.js');
const w3 = await import('../workloads/w3-experiments.js');
const exp =
  mode === 'distributed'
    ? w5.w5Distributed
    : mode === 'quick'
      ? w5.w5QuickDistributed
      : mode === 'trivial'
        ? w5.w5TrivialDistributed
        : w3.w3TrivialSerial;
const t0 = performance.now();
const result = await exp.run({ replicates });
const runMs = performance.now() - t0;
const burn = result.metrics.baseline.metrics.burn ?? [];
if (burn.length !== replicates || Object.keys(result.errors).length > 0)
  throw new Error(
    `W5 ${mode}: ${burn.length} metrics for ${replicates}, errors ${Object.keys(result.errors).join(', ')}`,
  );
printReport({
  run_ms: runMs,
  replicates,
  metrics: JSON.stringify(burn),
  seeds: JSON.stringify(result.provenance.seeds),
});
process.exit(0);
