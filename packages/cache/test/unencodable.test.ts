import { createServer, Socket } from 'node:net';
import { CacheError } from '@crystallize/core';
import { CacheStore, UnencodableValueError, type CacheEntry } from '@crystallize/cache';
import { recordingLogger, tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();
const entry = (output: unknown): CacheEntry => ({ output, metrics: [], artifacts: [] });

async function setError(output: unknown): Promise<UnencodableValueError> {
  const store = new CacheStore({ dir: tmp.dir() });
  try {
    await store.set('Step1', 'in2', entry(output));
  } catch (error) {
    expect(error).toBeInstanceOf(UnencodableValueError);
    expect(error).toBeInstanceOf(CacheError);
    expect(await store.get('Step1', 'in2')).toBeUndefined(); // nothing half-written
    return error as UnencodableValueError;
  }
  throw new Error('expected set() to reject');
}

describe('CacheStore with values msgpack cannot round-trip', () => {
  it('raises a CacheError naming the key, the path and the function', async () => {
    const error = await setError({ model: { activation: function relu() {} } });
    expect(error.key).toBe('Step1/in2');
    expect(error.path).toBe('output.model.activation');
    expect(error.valueType).toBe('function relu');
    expect(error.message).toContain('Step1/in2');
    expect(error.message).toContain('function relu');
  });

  it('raises a CacheError for a symbol', async () => {
    const error = await setError([1, Symbol('s')]);
    expect(error.path).toBe('output[1]');
    expect(error.valueType).toBe('symbol');
  });

  it('raises a CacheError for a real socket', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    const socket = new Socket();
    await new Promise<void>((done) => socket.connect(port, '127.0.0.1', done));
    try {
      const error = await setError({ conn: socket });
      expect(error.valueType).toBe('Socket instance');
      expect(error.path).toBe('output.conn');
    } finally {
      socket.destroy();
      await new Promise((done) => server.close(done));
    }
  });

  it('raises a CacheError for a class instance that would lose its class', async () => {
    class Model {
      weights = [1, 2];
    }
    const error = await setError(new Model());
    expect(error.valueType).toBe('Model instance');
  });

  it('raises a CacheError for a cycle', async () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    const error = await setError(a);
    expect(error.valueType).toBe('cycle');
    expect(error.path).toBe('output.self');
  });

  it('checks metrics and artifacts as well as the output', async () => {
    const store = new CacheStore({ dir: tmp.dir() });
    await expect(
      store.set('Step1', 'in2', {
        output: 1,
        metrics: [],
        artifacts: [{ name: 'a', data: { write: () => 1 } }],
      }),
    ).rejects.toThrow(/artifacts\[0\]\.data\.write/);
  });

  it("skips the write with a warning under onUnencodable: 'skip'", async () => {
    const logger = recordingLogger();
    const store = new CacheStore({ dir: tmp.dir(), logger, onUnencodable: 'skip' });
    expect(
      await store.set(
        'Step1',
        'in2',
        entry(() => 1),
      ),
    ).toBe(false);
    expect(await store.get('Step1', 'in2')).toBeUndefined();
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      obj: { stepKey: 'Step1', inputKey: 'in2' },
    });
    expect((await store.stats()).skipped).toBe(1);
    // A per-call option overrides the store's default.
    await expect(
      store.set(
        'Step1',
        'in2',
        entry(() => 1),
        { onUnencodable: 'throw' },
      ),
    ).rejects.toThrow(UnencodableValueError);
  });

  it("spells the fail policy 'error' (as an experiment does) and still reads the deprecated 'throw'", async () => {
    const skipping = new CacheStore({ dir: tmp.dir(), onUnencodable: 'skip' });
    await expect(
      skipping.set(
        'Step1',
        'in2',
        entry(() => 1),
        { onUnencodable: 'error' },
      ),
    ).rejects.toThrow(UnencodableValueError);
    const strict = new CacheStore({ dir: tmp.dir(), onUnencodable: 'error' });
    await expect(
      strict.set(
        'Step1',
        'in2',
        entry(() => 1),
      ),
    ).rejects.toThrow(UnencodableValueError);
    const legacy = new CacheStore({ dir: tmp.dir(), onUnencodable: 'throw' });
    await expect(
      legacy.set(
        'Step1',
        'in2',
        entry(() => 1),
      ),
    ).rejects.toThrow(UnencodableValueError);
  });
});
