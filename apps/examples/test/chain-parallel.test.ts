import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

const repo = resolve(import.meta.dirname, '..', '..', '..');

describe('examples/chain under ParallelExecution', () => {
  it('runs both experiments in worker threads and matches a serial run of the same chain', async () => {
    // The serial reference: the compiled example in its own process.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'pipe' });
    const serialRoot = mkdtempSync(join(tmpdir(), 'cz-'));
    execFileSync(process.execPath, [join(repo, 'apps/examples/dist/chain.js')], {
      cwd: serialRoot,
      env: {
        ...process.env,
        CRYSTALLIZE_EXAMPLES_DATA: serialRoot,
        CRYSTALLIZE_LOG_LEVEL: 'silent',
      },
      stdio: 'pipe',
    });
    const stored = (exp: string, condition: string): Record<string, unknown[]> =>
      (
        JSON.parse(
          readFileSync(join(serialRoot, exp, 'v0', condition, 'results.json'), 'utf8'),
        ) as {
          metrics: Record<string, unknown[]>;
        }
      ).metrics;

    const root = mkdtempSync(join(tmpdir(), 'cz-'));
    process.env['CRYSTALLIZE_EXAMPLES_DATA'] = root;
    process.env['CRYSTALLIZE_EXAMPLES_PARALLEL'] = '1';
    const { runChain, closePools, prepare, evaluate } = await import('../src/chain.js');
    try {
      expect(prepare.execution.constructor.name).toBe('ParallelExecution');
      expect(evaluate.execution.constructor.name).toBe('ParallelExecution');
      const results = await runChain();
      expect(threadId).toBe(0);
      expect(results['prepare']!.metrics.baseline.metrics['mean']).toEqual(
        stored('prepare', 'baseline')['mean'],
      );
      expect(results['prepare']!.metrics.treatments['wide']!.metrics['mean']).toEqual(
        stored('prepare', 'wide')['mean'],
      );
      expect(results['evaluate']!.metrics.baseline.metrics['z']).toEqual(
        stored('evaluate', 'baseline')['z'],
      );
      expect(results['evaluate']!.metrics.treatments['wide']!.metrics['z']).toEqual(
        stored('evaluate', 'wide')['z'],
      );
    } finally {
      await closePools();
    }
  }, 120_000);
});
