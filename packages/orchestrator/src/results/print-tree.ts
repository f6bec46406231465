import { ValidationError } from '@crystallize/core';
import type { StepRecord } from '../model/step-record.js';
import type { Provenance } from './provenance.js';

const LEVELS = ['treatment', 'replicate', 'step'] as const;
type Level = (typeof LEVELS)[number];

function parseFormat(format: string): { levels: Level[]; action: boolean } {
  const tokens = format.split('>').map((t) => t.trim());
  const problems: string[] = [];
  const levels: Level[] = [];
  let action = false;
  tokens.forEach((t, i) => {
    if (t === 'action') {
      if (i !== tokens.length - 1) problems.push(`'action' must be the last level`);
      action = true;
    } else if ((LEVELS as readonly string[]).includes(t)) {
      if (levels.includes(t as Level)) problems.push(`level '${t}' appears twice`);
      levels.push(t as Level);
    } else {
      problems.push(`unknown level '${t}' (use treatment, replicate, step, action)`);
    }
  });
  if (levels.length === 0) problems.push('name at least one of treatment, replicate, step');
  if (problems.length)
    throw new ValidationError(
      problems.map((p) => `printTree('${format}'): ${p}`),
      'printTree',
    );
  return { levels, action };
}

interface Row {
  treatment: string;
  reused: string | undefined;
  replicate: string;
  step: string;
  record: StepRecord;
}

/** `reused from v3` for a condition resume reloaded; undefined for one that ran. */
function reusedNote(provenance: Provenance, condition: string): string | undefined {
  const origin = provenance.conditions?.[condition];
  return origin?.reused ? `reused from v${origin.fromVersion ?? '?'}` : undefined;
}

function describeAction(r: StepRecord, reused: string | undefined): string {
  const parts = [reused ?? (r.cacheHit ? 'cache hit' : 'ran')];
  const wrote = Object.keys(r.ctxChanges.wrote);
  if (wrote.length) parts.push(`wrote ${wrote.join(', ')}`);
  if (r.ctxChanges.metrics.length)
    parts.push(`metrics ${[...new Set(r.ctxChanges.metrics.map((m) => m.name))].join(', ')}`);
  if (r.ctxChanges.reads.length) parts.push(`read ${r.ctxChanges.reads.join(', ')}`);
  return parts.join('; ');
}

/** Renders provenance as an indented tree, grouped in the order the format names. */
export function printTree(provenance: Provenance, format: string): string {
  const { levels, action } = parseFormat(format);
  const rows: Row[] = [];
  for (const [treatment, reps] of Object.entries(provenance.ctxChanges)) {
    const reused = reusedNote(provenance, treatment);
    // A reused condition says so wherever its name is shown.
    const label = reused ? `${treatment} (${reused})` : treatment;
    for (const [replicate, records] of Object.entries(reps)) {
      for (const record of records)
        rows.push({
          treatment: label,
          reused,
          replicate: `replicate ${replicate}`,
          step: record.step,
          record,
        });
    }
  }
  const lines: string[] = [];
  const render = (subset: Row[], depth: number, prefix: string): void => {
    if (depth === levels.length) {
      if (action)
        subset.forEach((r, i) =>
          lines.push(
            `${prefix}${i === subset.length - 1 ? '└─ ' : '├─ '}${describeAction(r.record, r.reused)}`,
          ),
        );
      return;
    }
    const level = levels[depth] as Level;
    const groups = new Map<string, Row[]>();
    for (const r of subset) {
      const key = r[level];
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    const keys = [...groups.keys()];
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      lines.push(`${prefix}${depth === 0 ? '' : last ? '└─ ' : '├─ '}${key}`);
      render(
        groups.get(key) as Row[],
        depth + 1,
        depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`,
      );
    });
  };
  render(rows, 0, '');
  return lines.join('\n');
}
