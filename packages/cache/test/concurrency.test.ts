import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CacheStore } from '@crystallize/cache';
import { tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const workerFile = new URL('./fixtures/concurrent-writer.worker.mjs', import.meta.url);

interface Report {
  reads: number;
  hits: number;
  problems: string[];
  warnings: string[];
}

function runWorker(data: object): Promise<Report> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: data });
    worker.once('message', (report: Report) => resolve(report));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

describe('CacheStore under concurrent writers', () => {
  it('never shows a torn or mixed entry to readers while worker threads rewrite the same keys', async () => {
    if (!existsSync(built)) {
      throw new Error('packages/cache/dist is missing: run `npx tsc -b tsconfig.build.json` first');
    }
    const keys = ['k1', 'k2', 'k3'];
    const reports = await Promise.all(
      [1, 2, 3, 4].map((id) =>
        runWorker({ dir: tmp.dir(), id, rounds: 20, keys, size: 128 * 1024 }),
      ),
    );
    for (const report of reports) {
      expect(report.problems).toEqual([]);
      expect(report.warnings).toEqual([]); // a torn read would have failed its checksum
      expect(report.reads).toBe(20 * keys.length * keys.length);
    }
    expect(reports.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(600);

    // Afterwards: exactly one sound entry per key, from one writer, and no temp files left.
    expect(readdirSync(`${tmp.dir()}/shared-step`).sort()).toEqual(keys.map((k) => `${k}.msgpack`));
    const store = new CacheStore({ dir: tmp.dir() });
    for (const key of keys) {
      const got = await store.get<Float64Array>('shared-step', key);
      const stamp = got!.metrics[0]!.value as number;
      expect(got!.output.every((x) => x === stamp)).toBe(true);
    }
  }, 60_000);
});
