/**
 * One W4 measurement in a fresh process (peak RSS is per process): runs the W1 experiment at
 * R replicates — or, with `plain`, the bare loop — and prints `{ ms, maxRssMb }`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This process's peak RSS (VmHWM where /proc has it). */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const [mode = 'framework', r = '10000'] = process.argv.slice(2);
const replicates = Number(r);
const root = mkdtempSync(join(tmpdir(), 'cz-bench-w4-'));
// Imported on demand, before timing: the plain baseline must not pay for loading the framework,
// and module loading is not part of a run.
let t0: number;
if (mode === 'plain') {
  const { w1Plain } = await import('./w1-plain.js');
  t0 = performance.now();
  w1Plain(replicates);
} else {
  const { w1Experiment } = await import('./w1-steps.js');
  const exp = w1Experiment(root);
  t0 = performance.now();
  await exp.run({ replicates });
}
const ms = performance.now() - t0;
rmSync(root, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ ms, maxRssMb: peakRssMb() }) + '\n');
