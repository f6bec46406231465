import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ConfigIssue } from '../config-error.js';
import { didYouMean, listNames } from '../internal/did-you-mean.js';
import { YamlSource, type KeyPath } from '../internal/yaml-source.js';
import { schemas, topLevelKeys, type ExperimentConfig } from './config.schema.js';

export interface ParsedConfig {
  readonly source: YamlSource;
  /** The keys whose values matched the schema (all of them when `issues` is empty). */
  readonly config: Partial<ExperimentConfig>;
  readonly issues: ConfigIssue[];
}

function knownKeysAt(path: KeyPath): readonly string[] {
  if (path.length === 0) return topLevelKeys();
  if (path[0] === 'cli') return ['group', 'priority', 'hidden'];
  if (path[0] === 'outputs') return Object.keys(schemas().outputSchema.shape);
  if (path[0] === 'hypotheses') return Object.keys(schemas().hypothesisSchema.shape);
  return [];
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let v = root;
  for (const p of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function toIssues(source: YamlSource, plain: unknown, issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) =>
      source.issue(
        [...path, key],
        `unknown key '${key}'.${didYouMean(key, known)} Allowed here: ${listNames(known)}.`,
        true,
      ),
    );
  }
  const actual = valueAt(plain, path);
  const missing = actual === undefined && issue.code === 'invalid_type';
  const message = missing
    ? `is required: ${issue.message}`
    : `${issue.message}, got ${describeValue(actual)}`;
  return [source.issue(path, message, missing)];
}

/**
 * Reads and checks `file` against the config schema. Every problem is returned, with its
 * position; `config` is set only when there are none.
 */
export function parseConfig(file: string, text = readFileSync(file, 'utf8')): ParsedConfig {
  const source = new YamlSource(file, text);
  const syntax = source.syntaxIssues();
  if (syntax.length) return { source, config: {}, issues: syntax };
  const plain: unknown = source.doc.toJS() ?? {};
  if (typeof plain !== 'object' || Array.isArray(plain)) {
    return {
      source,
      config: {},
      issues: [
        source.issue(
          [],
          `expected a map of settings (name, datasource, steps, ...), got ${describeValue(plain)}`,
        ),
      ],
    };
  }
  const parsed = schemas().configSchema.safeParse(plain);
  if (parsed.success) return { source, config: parsed.data, issues: [] };
  const issues = parsed.error.issues.flatMap((i) => toIssues(source, plain, i));
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  // Keys that are fine are still checked further (names, references), so one run reports all.
  const bad = new Set(parsed.error.issues.map((i) => i.path[0]).filter((k) => k !== undefined));
  const config = Object.fromEntries(
    Object.entries(plain as Record<string, unknown>).filter(
      ([k]) => !bad.has(k) && topLevelKeys().includes(k),
    ),
  ) as Partial<ExperimentConfig>;
  return { source, config, issues };
}
