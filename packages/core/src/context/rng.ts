import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A seeded pseudo-random source. The orchestrator seeds one per replicate and condition, so
 * draws are identical whether replicates run serially, async or in workers.
 */
export interface Rng {
  /** The seed this stream started from. */
  readonly seed: number;
  /** Which of the seed's independent streams this is (see {@link RngStream}). */
  readonly stream: RngStream;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi], both included, without modulo bias. */
  int(lo: number, hi: number): number;
  /** A normal draw (Marsaglia polar method). */
  normal(mean?: number, sd?: number): number;
  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * The independent streams one seed gives. `'context'` is `ctx.rng`; `'mathRandom'` is what the
 * default `SeedPlugin` seed function installs as `Math.random`. Code that draws from both gets
 * two unrelated sequences, never the same numbers twice.
 */
export type RngStream = 'context' | 'mathRandom';

/**
 * The Weyl increment each stream expands its seed with (see `expandSeed`). `context` keeps the
 * golden-ratio constant it always used, so `ctx.rng` draws are unchanged; `mathRandom` uses the
 * first 32 fraction bits of sqrt(2) (sha256's H0). Two different odd increments mean no seed's
 * state in one stream equals any seed's state in the other: that would need x + γa = y + γb and
 * x + 2γa = y + 2γb, i.e. γa = γb.
 */
export const RNG_STREAM_GAMMA: Readonly<Record<RngStream, number>> = Object.freeze({
  context: 0x9e3779b9,
  mathRandom: 0x6a09e667,
});

/**
 * pure-rand's `xoroshiro128plus(seed)` puts the seed into the state as is, so its first output
 * is `~seed`: replicate seeds a fixed step apart (the 31337 formula) would start with nearly
 * equal draws. The 128-bit state is filled from the seed through splitmix32 (a Weyl sequence
 * through the murmur3 finaliser) instead, which decorrelates neighbouring seeds from the first
 * draw. The stream picks the Weyl increment, so the streams of one seed start from unrelated
 * states: word k of the state is `fmix32(seed + k * gamma)`, k = 1..4.
 */
function expandSeed(seed: number, gamma: number): number[] {
  let weyl = seed | 0;
  const next = (): number => {
    weyl = (weyl + gamma) | 0;
    let z = weyl;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
  const state: number[] = [next(), next(), next(), next()];
  // xoroshiro's one forbidden state is all zeros.
  if (
    ((state[0] as number) | (state[1] as number) | (state[2] as number) | (state[3] as number)) ===
    0
  )
    state[0] = 1;
  return state;
}

class PureRng implements Rng {
  readonly seed: number;
  readonly stream: RngStream;
  readonly #gen: RandomGenerator;
  #spare: number | undefined;

  constructor(seed: number, stream: RngStream) {
    const gamma = RNG_STREAM_GAMMA[stream];
    if (gamma === undefined) {
      throw new RangeError(
        `createRng(seed, stream): unknown stream ${JSON.stringify(stream)}; use one of ${Object.keys(
          RNG_STREAM_GAMMA,
        )
          .map((k) => `'${k}'`)
          .join(', ')}.`,
      );
    }
    this.seed = seed >>> 0;
    this.stream = stream;
    this.#gen = xoroshiro128plusFromState(expandSeed(this.seed, gamma));
  }

  next(): number {
    return uniformFloat64(this.#gen);
  }

  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`rng.int(lo, hi) needs integers with lo <= hi, got (${lo}, ${hi})`);
    }
    return uniformInt(this.#gen, lo, hi);
  }

  normal(mean = 0, sd = 1): number {
    if (this.#spare !== undefined) {
      const z = this.#spare;
      this.#spare = undefined;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spare = v * f;
    return mean + sd * u * f;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/**
 * A seeded {@link Rng} backed by pure-rand's xoroshiro128+: stream `stream` (default
 * `'context'`, the one `ctx.rng` uses) of `seed`. The streams of one seed are independent.
 *
 * @example createRng(42).next() === createRng(42, 'context').next() // true
 * @example createRng(42, 'mathRandom') // what Math.random replays inside a replicate seeded 42
 */
export function createRng(seed: number, stream: RngStream = 'context'): Rng {
  return new PureRng(seed, stream);
}
