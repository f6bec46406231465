import { createHash } from 'node:crypto';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { Packr } from 'msgpackr';
import { CacheStore, type CacheEntry } from '@crystallize/cache';
import { HEADER_SIZE } from '@crystallize/cache/internal';
import { recordingLogger, tempCacheDir } from './fixtures/temp-cache-dir.js';

const tmp = tempCacheDir();
const entry: CacheEntry<Float64Array> = {
  output: new Float64Array(4096).map((_, i) => i),
  metrics: [{ name: 'sum', value: 1 }],
  artifacts: [],
};

/** Writes a sound entry, lets `damage` corrupt the real file, then reads it back. */
async function afterDamage(damage: (file: string) => void) {
  const logger = recordingLogger();
  const store = new CacheStore({ dir: tmp.dir(), logger });
  await store.set('step', 'input', entry);
  const file = store.pathOf('step', 'input');
  damage(file);
  const got = await store.get('step', 'input');
  return { store, logger, file, got };
}

function expectReportedAndDeleted(
  result: Awaited<ReturnType<typeof afterDamage>>,
  reason: string,
): void {
  expect(result.got).toBeUndefined();
  expect(existsSync(result.file)).toBe(false);
  expect(result.logger.lines).toHaveLength(1);
  expect(result.logger.lines[0]).toMatchObject({
    level: 'warn',
    obj: { stepKey: 'step', inputKey: 'input', reason },
  });
  expect(result.logger.lines[0]!.msg).toMatch(/step\/input.*deleted/);
}

describe('CacheStore with damaged files', () => {
  it('treats a truncated entry as a miss and deletes it', async () => {
    const result = await afterDamage((file) => truncateSync(file, readFileSync(file).length - 100));
    expectReportedAndDeleted(result, 'truncated');
  });

  it('treats a file cut inside its header as a miss and deletes it', async () => {
    const result = await afterDamage((file) => truncateSync(file, 10));
    expectReportedAndDeleted(result, 'truncated');
  });

  it('treats an empty file as a miss and deletes it', async () => {
    const result = await afterDamage((file) => writeFileSync(file, ''));
    expectReportedAndDeleted(result, 'truncated');
  });

  it('treats garbage as a miss and deletes it', async () => {
    const result = await afterDamage((file) =>
      writeFileSync(file, Buffer.from('this is not a cache entry at all '.repeat(10))),
    );
    expectReportedAndDeleted(result, 'not-an-entry');
  });

  it('detects a flipped bit in the payload by its checksum', async () => {
    const result = await afterDamage((file) => {
      const bytes = readFileSync(file);
      bytes[HEADER_SIZE + 5000] = bytes[HEADER_SIZE + 5000]! ^ 0x10;
      writeFileSync(file, bytes);
    });
    expectReportedAndDeleted(result, 'checksum-mismatch');
  });

  it('detects bytes appended after the payload', async () => {
    const result = await afterDamage((file) =>
      writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([1, 2, 3])])),
    );
    expectReportedAndDeleted(result, 'length-mismatch');
  });

  it('treats an old-format file as a miss and deletes it', async () => {
    const result = await afterDamage((file) => {
      const bytes = readFileSync(file);
      bytes.writeUInt16LE(0, 4); // format version 0, checksum still right
      writeFileSync(file, bytes);
    });
    expectReportedAndDeleted(result, 'old-format');
  });

  it('treats a bare msgpack file (no header, as an older prototype wrote) as a miss', async () => {
    const result = await afterDamage((file) =>
      writeFileSync(file, new Packr().pack({ output: [1, 2, 3] })),
    );
    expect(result.got).toBeUndefined();
    expect(existsSync(result.file)).toBe(false);
    expect(result.logger.lines[0]!.obj['reason']).toMatch(/not-an-entry|truncated/);
  });

  it('treats a checksummed payload that is not an entry as a miss', async () => {
    const result = await afterDamage((file) => {
      const payload = new Packr().pack(['not', 'an', 'entry']);
      const bytes = readFileSync(file);
      const header = bytes.subarray(0, HEADER_SIZE);
      header.writeBigUInt64LE(BigInt(payload.length), 8);
      header.writeUInt8(1, 6); // checksum algorithm 1: sha256
      createHash('sha256').update(payload).digest().copy(header, 16);
      writeFileSync(file, Buffer.concat([header, payload]));
    });
    expectReportedAndDeleted(result, 'undecodable');
  });

  it('still reads an entry checksummed with sha256 (algorithm 1), as earlier builds wrote', async () => {
    const result = await afterDamage((file) => {
      const bytes = readFileSync(file);
      const payload = bytes.subarray(HEADER_SIZE);
      bytes.writeUInt8(1, 6);
      bytes.fill(0, 16, 48);
      createHash('sha256').update(payload).digest().copy(bytes, 16);
      writeFileSync(file, bytes);
    });
    expect(result.got).toEqual(entry);
    expect(result.logger.lines).toEqual([]);
  });

  it('leaves a file from a newer format version in place and misses', async () => {
    const result = await afterDamage((file) => {
      const bytes = readFileSync(file);
      bytes.writeUInt16LE(999, 4);
      writeFileSync(file, bytes);
    });
    expect(result.got).toBeUndefined();
    expect(existsSync(result.file)).toBe(true);
    expect(result.logger.lines[0]!.obj['reason']).toBe('newer-format');
  });

  it('counts corrupt files and stores a fresh entry in their place', async () => {
    const { store } = await afterDamage((file) => truncateSync(file, 60));
    expect((await store.stats()).corrupt).toBe(1);
    await store.set('step', 'input', entry);
    expect((await store.get('step', 'input'))?.output).toStrictEqual(entry.output);
  });

  it('has() spots a truncated or foreign file from its header alone', async () => {
    const logger = recordingLogger();
    const store = new CacheStore({ dir: tmp.dir(), logger });
    await store.set('step', 'input', entry);
    truncateSync(store.pathOf('step', 'input'), 200);
    expect(await store.has('step', 'input')).toBe(false);
    expect(existsSync(store.pathOf('step', 'input'))).toBe(false);
    expect(logger.lines[0]!.obj['reason']).toBe('truncated');
  });
});
