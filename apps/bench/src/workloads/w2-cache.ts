/**
 * W2 (store level): what a cache hit and a cache write cost for a 1M-float step output, and how
 * fast values are hashed, each beside the plain work — raw sha256 of the bytes; fs.readFile /
 * fs.writeFile with a bare msgpackr pack/unpack.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { CacheStore, hashValue } from '@crystallize/cache';
import { line, measure, throughput, type BenchContext, type Workload } from '../harness.js';

const MIB = 1024 * 1024;

function floats(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i * 1.5 + 1; // the W2 step: x * 1.5 + 1
  return out;
}

async function hashing(ctx: BenchContext): Promise<void> {
  const runs = ctx.runs;
  const typed = floats((ctx.quick ? 64 * 1024 : 64 * MIB) / 8);
  const raw = await measure(() => createHash('sha256').update(typed).digest('hex'), { runs });
  const ours = await measure(() => hashValue(typed), { runs });
  ctx.emit(
    line(
      'W2',
      'hash_float64array',
      'MB/s',
      throughput(ours, typed.byteLength),
      throughput(raw, typed.byteLength),
      {
        bytes: typed.byteLength,
        baseline: 'crypto sha256 of the bytes',
      },
    ),
  );

  const n = ctx.quick ? 1000 : 1_000_000;
  const plain = Array.from(floats(n));
  const plainBytes = Float64Array.from(plain);
  const rawPlain = await measure(() => createHash('sha256').update(plainBytes).digest('hex'), {
    runs,
  });
  const oursPlain = await measure(() => hashValue(plain), { runs });
  ctx.emit(
    line(
      'W2',
      'hash_number_array',
      'MB/s',
      throughput(oursPlain, n * 8),
      throughput(rawPlain, n * 8),
      {
        elements: n,
        baseline: 'crypto sha256 of the same doubles as bytes',
      },
    ),
  );
}

async function store(ctx: BenchContext, dir: string): Promise<void> {
  const n = ctx.quick ? 1000 : 1_000_000;
  const runs = ctx.runs;
  const cache = new CacheStore({ dir: join(dir, 'store') });
  const packr = new Packr({ moreTypes: true });
  const outputs = { float64array: floats(n), number_array: Array.from(floats(n)) };

  for (const [kind, output] of Object.entries(outputs)) {
    const entry = { output, metrics: [{ name: 'sum', value: n }], artifacts: [] };
    const rawFile = join(dir, `raw-${kind}.msgpack`);
    const params = { elements: n, output: kind };

    const rawSet = await measure(() => writeFile(rawFile, packr.pack(output)), { runs });
    const set = await measure(() => cache.set('W2step', kind, entry), { runs });
    ctx.emit(
      line('W2', `set_${kind}`, 'ms', set, rawSet, {
        ...params,
        baseline: 'msgpackr pack + fs.writeFile',
      }),
    );

    const rawGet = await measure(async () => packr.unpack(await readFile(rawFile)), { runs });
    const get = await measure(
      async () => {
        if (!(await cache.get('W2step', kind))) throw new Error('expected a cache hit');
      },
      { runs },
    );
    ctx.emit(
      line('W2', `hit_${kind}`, 'ms', get, rawGet, {
        ...params,
        includes: 'read + sha256 verify + decode',
        baseline: 'fs.readFile + msgpackr unpack',
      }),
    );
  }
}

export const w2Cache: Workload = {
  id: 'W2',
  tier: 'warm',
  description: 'cache store: hashing throughput, set and hit latency of a 1M-float entry',
  async run(ctx) {
    await hashing(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'crystallize-bench-w2-'));
    try {
      await store(ctx, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
