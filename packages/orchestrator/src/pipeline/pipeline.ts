import { hashValue, toStep, ValidationError, type Step, type StepLike } from '@crystallize/core';

/**
 * An ordered list of steps. Accepts step instances, step classes (built with no explicit
 * params) and `Step.with(...)` factories, in any mix.
 *
 * @example new Pipeline([ScaleData.with({ factor: 1.5 }), Normalize, new ComputeSum()])
 */
export class Pipeline {
  readonly steps: readonly Step[];

  constructor(steps: readonly (StepLike | Step)[]) {
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new ValidationError(
        'A Pipeline needs at least one step; got an empty list.',
        'Pipeline',
      );
    }
    const problems: string[] = [];
    const built: Step[] = [];
    steps.forEach((like, i) => {
      try {
        built.push(toStep(like, `pipeline step ${i}`));
      } catch (e) {
        problems.push((e as Error).message);
      }
    });
    if (problems.length) throw new ValidationError(problems, 'Pipeline');
    this.steps = Object.freeze(built);
  }

  /** Hash of every step's identity (class, version, explicit params, code), in order. */
  signature(): string {
    return hashValue(this.steps.map((s) => s.stepHash));
  }

  /** Human-readable signature: `ScaleData>Normalize>ComputeSum`. */
  describe(): string {
    return this.steps.map((s) => s.name).join('>');
  }
}
