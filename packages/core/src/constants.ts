/** Context keys the framework writes itself; user code may read them but never add them. */
export const RESERVED_CONTEXT_KEYS = Object.freeze([
  'replicate',
  'condition',
  'seed_used',
  'step_name',
] as const);

export type ReservedContextKey = (typeof RESERVED_CONTEXT_KEYS)[number];

/** The condition name of the untreated run. */
export const BASELINE_CONDITION = 'baseline';

/** Master seed used when the user gives none, so two runs of one experiment agree. */
export const DEFAULT_MASTER_SEED = 42;
