/**
 * One W4 measurement in a fresh process (peak RSS is per process): runs the W1 experiment at
 * R replicates — or, with `plain`, the bare loop — and prints `{ ms, maxRssMb }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [mode = 'framework', r = '10000'] = process.argv.slice(2);
const replicates = Number(r);
const root = mkdtempSync(join(tmpdir(), 'cz-bench-w4-'));
const t0 = performance.now();
// Imported on demand: the plain baseline must not pay for loading the framework.
if (mode === 'plain') (await import('./w1-plain.js')).w1Plain(replicates);
else await (await import('./w1-steps.js')).w1Experiment(root).run({ replicates });
const ms = performance.now() - t0;
rmSync(root, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
