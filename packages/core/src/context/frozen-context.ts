import { RESERVED_CONTEXT_KEYS } from '../constants.js';
import { ContextMutationError } from '../errors.js';
import { freezeCopy, readCopy } from '../internal/immutable.js';
import { ArtifactLog } from './artifact-log.js';
import { rootLogger, type Logger } from './logger.js';
import { Metrics, type MetricTags, type MetricValue } from './metrics.js';
import { createRng, type Rng } from './rng.js';

export interface FrozenContextOptions {
  /** Logger for steps (default: a child of the process-wide pino logger). */
  readonly logger?: Logger;
  /** Random source (default: seeded from `seed_used`, or 0). */
  readonly rng?: Rng;
  readonly metrics?: Metrics;
  readonly artifacts?: ArtifactLog;
  /** Observes every key read through {@link FrozenContext.get}; provenance uses it. */
  readonly onRead?: (key: string) => void;
}

const RESERVED: ReadonlySet<string> = new Set(RESERVED_CONTEXT_KEYS);

/**
 * The add-only key/value store a pipeline run shares between steps. A key, once added, keeps its
 * value: adding it again throws {@link ContextMutationError}, and stored plain data is copied and
 * frozen so no caller can change it behind the run's back.
 *
 * @example
 * const ctx = new FrozenContext({ lr: 0.1 });
 * ctx.get('lr');            // 0.1
 * ctx.get('epochs', 10);    // 10 (fallback)
 * ctx.add('lr', 0.2);       // throws ContextMutationError: Cannot mutate existing key 'lr'
 */
export class FrozenContext {
  readonly #data = new Map<string, unknown>();
  readonly metrics: Metrics;
  readonly artifacts: ArtifactLog;
  readonly #onRead: ((key: string) => void) | undefined;
  #logger: Logger | undefined;
  #rng: Rng | undefined;
  #stepName: string | undefined;

  constructor(initial: Readonly<Record<string, unknown>> = {}, options: FrozenContextOptions = {}) {
    for (const key of Object.keys(initial)) this.#data.set(key, freezeCopy(initial[key]));
    this.metrics = options.metrics ?? new Metrics();
    this.artifacts = options.artifacts ?? new ArtifactLog();
    this.#logger = options.logger;
    this.#rng = options.rng;
    this.#onRead = options.onRead;
  }

  /** The value under `key`, or `fallback` (default `undefined`) when the key is absent. */
  get<T = unknown>(key: string): T | undefined;
  get<T>(key: string, fallback: T): T;
  get<T>(key: string, fallback?: T): T | undefined {
    this.#onRead?.(key);
    if (key === 'step_name' && this.#stepName !== undefined) return this.#stepName as T;
    if (!this.#data.has(key)) return fallback;
    return readCopy(this.#data.get(key)) as T;
  }

  has(key: string): boolean {
    return this.#data.has(key) || (key === 'step_name' && this.#stepName !== undefined);
  }

  /** Adds a new key. Existing and reserved keys cannot be written. */
  add(key: string, value: unknown): void {
    if (this.has(key)) {
      throw new ContextMutationError(
        `Cannot mutate existing key '${key}'. Context keys are add-only; use a new key name.`,
        { key },
      );
    }
    if (RESERVED.has(key)) {
      throw new ContextMutationError(
        `Cannot add reserved key '${key}'; the framework sets it (${RESERVED_CONTEXT_KEYS.join(', ')}).`,
        { key },
      );
    }
    this.#data.set(key, freezeCopy(value));
  }

  /** Number of stored keys (cheap; the runner uses it to notice writes). */
  get size(): number {
    return this.#data.size;
  }

  keys(): string[] {
    const keys = [...this.#data.keys()];
    if (this.#stepName !== undefined && !this.#data.has('step_name')) keys.push('step_name');
    return keys;
  }

  /** A plain snapshot of every key (values are the frozen stored ones). */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keys()) out[key] = this.get(key);
    return out;
  }

  /** Shorthand for `ctx.metrics.add(name, value, tags)`. */
  record(name: string, value: MetricValue, tags?: MetricTags): void {
    this.metrics.add(name, value, tags);
  }

  get logger(): Logger {
    this.#logger ??= rootLogger();
    return this.#logger;
  }

  get rng(): Rng {
    this.#rng ??= createRng(Number(this.#data.get('seed_used') ?? 0));
    return this.#rng;
  }

  /**
   * @internal The pipeline runner names the step being run; `ctx.get('step_name')` reads it.
   * Not part of the add-only data because it changes from step to step by design.
   */
  enterStep(name: string | undefined): void {
    this.#stepName = name;
    this.artifacts.enterStep(name);
  }
}

/**
 * A context for running a step by hand, e.g. in a unit test: `await step.call(data, standaloneContext())`.
 */
export function standaloneContext(
  initial: Readonly<Record<string, unknown>> = {},
  options: FrozenContextOptions = {},
): FrozenContext {
  return new FrozenContext({ replicate: 0, condition: 'baseline', ...initial }, options);
}
