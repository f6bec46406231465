import { levenshtein } from './lazy-modules.js';

/** The candidate closest to `word`, if it is close enough to be a likely misspelling. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0) return undefined;
  const lower = word.toLowerCase();
  const caseOnly = list.find((c) => c.toLowerCase() === lower);
  if (caseOnly) return caseOnly;
  const { closest, distance } = levenshtein();
  const best = closest(word, list);
  const limit = Math.max(2, Math.floor(word.length / 3));
  return distance(word, best) <= limit ? best : undefined;
}

/** ` Did you mean 'x'?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s ? ` Did you mean '${s}'?` : '';
}

/** `'a', 'b', 'c'` or `(none)`. */
export function listNames(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? list.map((n) => `'${n}'`).join(', ') : '(none)';
}
