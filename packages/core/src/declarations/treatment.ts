import type { FrozenContext } from '../context/frozen-context.js';
import { ValidationError } from '../errors.js';
import { normalizeSource } from '../hashing/code-fingerprint.js';

export type TreatmentValues = Readonly<Record<string, unknown>>;
export type TreatmentFn = (ctx: FrozenContext) => void;

/**
 * A named change to the context. A map treatment adds its keys; a function treatment adds
 * whatever it likes. A treatment named `baseline` modifies the baseline instead.
 */
export class Treatment {
  readonly name: string;
  /** The values a map treatment adds (undefined for function treatments). */
  readonly values: TreatmentValues | undefined;
  readonly #fn: TreatmentFn | undefined;

  constructor(name: string, change: TreatmentValues | TreatmentFn) {
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
      throw new ValidationError(
        `Treatment name ${JSON.stringify(name)} is invalid: use letters, digits, '_', '-' or '.' (it names folders).`,
      );
    }
    this.name = name;
    if (typeof change === 'function') {
      this.values = undefined;
      this.#fn = change;
    } else if (change && typeof change === 'object') {
      this.values = Object.freeze({ ...change });
      this.#fn = undefined;
    } else {
      throw new ValidationError(
        `Treatment '${name}': expected a { key: value } map or a (ctx) => void function.`,
      );
    }
  }

  /** Adds this treatment's values to `ctx`. */
  apply(ctx: FrozenContext): void {
    if (this.#fn) {
      this.#fn(ctx);
      return;
    }
    for (const [key, value] of Object.entries(this.values ?? {})) ctx.add(key, value);
  }

  /** What identifies this treatment's definition, for resume fingerprints. */
  get definition(): unknown {
    return this.#fn
      ? { name: this.name, code: normalizeSource(this.#fn.toString()) }
      : { name: this.name, values: this.values };
  }
}

/**
 * @example treatment('double', { scale_factor: 2 })
 * @example treatment('noisy', (ctx) => ctx.add('noise', 0.1))
 */
export function treatment(name: string, change: TreatmentValues | TreatmentFn): Treatment {
  return new Treatment(name, change);
}
