import { createHash } from 'node:crypto';
import type { StepRecord } from '@crystallize/orchestrator';
import { ProvenanceStore } from '../src/storage/provenance-store.js';

const h = (s: string): string => createHash('sha256').update(s).digest('hex');
const NONE = { reads: [], wrote: {}, metrics: [] };

/** A replicate's chained records with every kind of context change. */
function records(rep: number): StepRecord[] {
  const hashes = [0, 1, 2, 3].map((i) => h(`${rep}:${i}`));
  return [
    {
      step: 'load',
      params: { n: 1 },
      cacheKey: h('load'),
      inputHash: hashes[0]!,
      outputHash: hashes[1]!,
      cacheHit: rep % 2 === 0,
      ctxChanges: NONE,
    },
    {
      step: 'score',
      params: {},
      cacheKey: h('score'),
      inputHash: hashes[1]!,
      outputHash: hashes[2]!,
      cacheHit: false,
      ctxChanges: {
        reads: [],
        wrote: {},
        metrics: [
          { name: 'y', value: rep * 1.5 },
          { name: 'z', value: -0.25 },
        ],
      },
    },
    {
      step: 'note',
      params: { tag: 'x' },
      cacheKey: h('note'),
      inputHash: hashes[2]!,
      outputHash: hashes[3]!,
      cacheHit: false,
      ctxChanges: {
        reads: ['replicate'],
        wrote: { seen: rep },
        metrics: [{ name: 'label', value: 'ok', tags: { split: 'test' } }],
      },
    },
  ];
}

describe('ProvenanceStore', () => {
  it('gives back exactly the records it was given, in memory and through provenance.jsonl', () => {
    const store = new ProvenanceStore();
    const odd: StepRecord[] = [{ ...records(9)[0]!, outputHash: 'unhashable' }];
    for (let rep = 4; rep >= 0; rep--) store.add('baseline', rep, records(rep)); // out of order
    store.add('baseline', 9, odd); // not chained sha256 hashes: kept as objects
    const view = store.view()['baseline']!;
    expect(Object.keys(view)).toEqual(['0', '1', '2', '3', '4', '9']);
    for (let rep = 0; rep <= 4; rep++) expect(view[rep]).toEqual(records(rep));
    expect(view[9]).toEqual(odd);
    const parsed = ProvenanceStore.parse([...store.lines('baseline')].join('\n'));
    for (let rep = 0; rep <= 4; rep++) expect(parsed[rep]).toEqual(records(rep));
    expect(parsed[9]).toEqual(odd);
  });

  it('keeps records whose 64-character hashes are not hex digits exactly, as objects', () => {
    const store = new ProvenanceStore();
    const notHex = 'g'.repeat(64);
    const chained = records(1).map((r, i) =>
      i === 1 ? { ...r, outputHash: notHex } : i === 2 ? { ...r, inputHash: notHex } : r,
    );
    store.add('baseline', 1, chained);
    store.add('baseline', 2, records(2)); // the next replicate is unaffected
    expect(store.view()['baseline']![1]).toEqual(chained);
    expect(store.view()['baseline']![2]).toEqual(records(2));
    const parsed = ProvenanceStore.parse([...store.lines('baseline')].join('\n'));
    expect(parsed[1]).toEqual(chained);
    expect(parsed[2]).toEqual(records(2));
  });

  it('keeps conditions apart, and spans that would cross a hash chunk start a new one', () => {
    const store = new ProvenanceStore();
    // Three hashes first, so later four-hash spans no longer line up with the 16,384-slot chunks.
    const short = records(-1).slice(0, 2);
    store.add('baseline', 100_000, short);
    for (let rep = 0; rep < 10_000; rep++)
      store.add(rep % 2 ? 'treated' : 'baseline', rep, records(rep));
    const view = store.view();
    expect(view['baseline']![100_000]).toEqual(short);
    for (const rep of [0, 4094, 4096, 8190, 9998])
      expect(view['baseline']![rep]).toEqual(records(rep));
    expect(view['treated']![9999]).toEqual(records(9999));
    expect(view['treated']![0]).toBeUndefined();
    const parsed = ProvenanceStore.parse([...store.lines('baseline')].join('\n'));
    expect(parsed[8190]).toEqual(records(8190));
  });
});
