import type { z as Z } from 'zod';
import { zod } from '../internal/lazy-modules.js';

/*
 * The shape of config.yaml (SPEC §10), declared once. Names (steps, data sources, verifiers,
 * writers, loaders) are checked against the folder's modules afterwards, in build/.
 */

export const executionModes = ['serial', 'async', 'parallel'] as const;

function build(z: typeof Z) {
  const identifier = z
    .string({ error: 'expected a name (a string)' })
    .regex(/^[\w.-]+$/, { error: "expected a name of letters, digits, '_', '-' or '.'" });

  /** A param map: `{ factor: 1.5 }` (null, from `Name:` with nothing after it, means none). */
  const params = z.record(z.string(), z.unknown(), {
    error: 'expected a map of parameters { name: value }',
  });

  /** `Name` or `{ Name: { param: value } }`. */
  const namedWithParams = z.union(
    [
      z.string(),
      z.record(z.string(), params.nullable()).refine((m) => Object.keys(m).length === 1, {
        error: 'expected exactly one name: { Name: { param: value } }',
      }),
    ],
    { error: 'expected a name, or { Name: { param: value } }' },
  );

  const metricNames = z.union([z.string(), z.array(z.string()), z.array(z.array(z.string()))], {
    error: 'expected a metric name, a list of names, or a list of lists of names',
  });

  const hypothesisSchema = z.strictObject({
    name: identifier.optional(),
    verifier: namedWithParams,
    metrics: metricNames.optional(),
    adjust: z.enum(['holm', 'bh'], { error: "expected 'holm' or 'bh'" }).optional(),
    /** Which field of the verifier output ranks treatments (lower first); default `p_value`. */
    rank_by: z.string().optional(),
  });

  const outputSchema = z.strictObject({
    file_name: z.string({ error: 'expected a file name (a string)' }),
    writer: z.string({ error: 'expected the name of a writer function in outputs.ts' }).optional(),
    loader: z.string({ error: 'expected the name of a loader function in outputs.ts' }).optional(),
  });

  const configSchema = z.strictObject({
    name: identifier.optional(),
    description: z.string().optional(),
    replicates: z
      .number({ error: 'expected a whole number >= 1' })
      .int({ error: 'expected a whole number >= 1' })
      .min(1, { error: 'expected a whole number >= 1' })
      .optional(),
    seed: z
      .number({ error: 'expected a whole number' })
      .int({ error: 'expected a whole number' })
      .optional(),
    execution: z
      .enum(executionModes, { error: "expected 'serial', 'async' or 'parallel'" })
      .optional(),
    /** Worker threads (parallel) or concurrent replicates (async). */
    workers: z.number().int().min(1, { error: 'expected a whole number >= 1' }).optional(),
    cli: z
      .strictObject({
        group: z.string().optional(),
        priority: z.number().optional(),
        hidden: z.boolean().optional(),
      })
      .optional(),
    datasource: z.union(
      [z.string(), z.record(z.string(), z.string(), { error: 'expected { alias: name }' })],
      {
        error: 'expected a data source name, "upstream#output", or { alias: name, ... }',
      },
    ),
    steps: z
      .array(namedWithParams, { error: 'expected a list of steps' })
      .min(1, { error: 'expected at least one step' }),
    outputs: z
      .record(z.string(), outputSchema, { error: 'expected { alias: { file_name: ... } }' })
      .optional(),
    treatments: z
      .record(z.string(), params.nullable(), { error: 'expected { name: { key: value } }' })
      .optional(),
    hypotheses: z.array(hypothesisSchema, { error: 'expected a list of hypotheses' }).optional(),
  });
  return { namedWithParams, hypothesisSchema, outputSchema, configSchema };
}

let built: ReturnType<typeof build> | undefined;

/** The schemas, built (and zod loaded) on first use. */
export function schemas(): ReturnType<typeof build> {
  built ??= build(zod().z);
  return built;
}

type Schemas = ReturnType<typeof build>;
export type ExperimentConfig = Z.infer<Schemas['configSchema']>;
export type HypothesisConfig = Z.infer<Schemas['hypothesisSchema']>;
export type NamedWithParams = Z.infer<Schemas['namedWithParams']>;

/** Every key config.yaml accepts at the top level (for "did you mean"). */
export function topLevelKeys(): string[] {
  return Object.keys(schemas().configSchema.shape);
}
