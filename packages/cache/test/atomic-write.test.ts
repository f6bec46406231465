/*
 * The framework's one atomic-write helper (issue #11 point 2), shared with the orchestrator
 * through `@crystallize/cache/internal`: a reader sees the old file or the new one, never half,
 * and a failed write leaves no temp file behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '@crystallize/cache/internal';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'cz-atomic-'));

describe('writeFileAtomicSync', () => {
  it('writes a string, bytes or a stream of lines, creating the folder, leaving no temp file', () => {
    const dir = fresh();
    writeFileAtomicSync(join(dir, 'a', 'text.txt'), 'hello');
    writeFileAtomicSync(join(dir, 'a', 'bytes.bin'), new Uint8Array([1, 2, 3]));
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`);
    writeFileAtomicSync(join(dir, 'a', 'lines.jsonl'), lines);
    expect(readFileSync(join(dir, 'a', 'text.txt'), 'utf8')).toBe('hello');
    expect([...readFileSync(join(dir, 'a', 'bytes.bin'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(dir, 'a', 'lines.jsonl'), 'utf8')).toBe(lines.join(''));
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['bytes.bin', 'lines.jsonl', 'text.txt']);
  });

  it('replaces an existing file whole', () => {
    const dir = fresh();
    const file = join(dir, 'f.json');
    writeFileSync(file, 'old contents that are longer');
    writeFileAtomicSync(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('removes its temp file when the write fails, and leaves what was there', () => {
    const dir = fresh();
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inside'), { recursive: true }); // a non-empty folder: rename fails
    expect(() => writeFileAtomicSync(target, 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('removes its temp file when a line source throws midway', () => {
    const dir = fresh();
    function* broken(): Iterable<string> {
      yield 'first\n';
      throw new Error('source failed');
    }
    expect(() => writeFileAtomicSync(join(dir, 'p.jsonl'), broken())).toThrow('source failed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never draws from Math.random for its temp name', async () => {
    const dir = fresh();
    const saved = Math.random;
    Math.random = () => {
      throw new Error('Math.random was used');
    };
    try {
      writeFileAtomicSync(join(dir, 'a'), 'x');
      await writeFileAtomic(join(dir, 'b'), [new Uint8Array([1])]);
    } finally {
      Math.random = saved;
    }
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });
});
