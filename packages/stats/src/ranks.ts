/** Mid-ranks (1-based; ties share the average rank), as `scipy.stats.rankdata(method='average')`. */
export interface Ranking {
  readonly ranks: number[];
  /** Sizes of the groups of tied values (groups of one included). */
  readonly tieSizes: number[];
}

export function midRanks(values: readonly number[]): Ranking {
  const order = values
    .map((_, i) => i)
    .sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number])
      j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}
