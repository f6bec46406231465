/** W1's work with no framework (kept apart so the plain W4 child never loads the framework). */

export const STEPS = 10;

/** The same work with no framework: two conditions x R replicates x 10 additions, metrics kept. */
export function w1Plain(replicates: number): Record<string, number[]> {
  const out: Record<string, number[]> = { baseline: [], plus2: [] };
  for (const [condition, delta] of [
    ['baseline', 1],
    ['plus2', 2],
  ] as const) {
    const ys = out[condition] as number[];
    for (let rep = 0; rep < replicates; rep++) {
      let x = rep;
      for (let i = 0; i < STEPS; i++) x = x + delta;
      ys.push(x);
    }
  }
  return out;
}
