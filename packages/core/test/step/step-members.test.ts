/*
 * Issue #11 point 6: the member names a parameter may not take are derived from the Step class
 * (its prototype chain and instance fields), not a hand-kept list, for function steps and class
 * steps alike.
 */
import { Param, PipelineStep, Step, StepDefinitionError, pipelineStep } from '@crystallize/core';
import { stepMemberNames } from '../../src/step/step-members.js';

describe('reserved step member names', () => {
  it('are derived from Step: every getter, method and instance field of a step is reserved', () => {
    const names = stepMemberNames();
    for (const member of [
      'name',
      'params',
      'cacheable',
      'fingerprint',
      'stepHash',
      'identity',
      'paramNames',
      'resolveParams',
      'invoke',
      'call',
      'adoptIdentity',
      'setup',
      'teardown',
    ])
      expect(names.has(member)).toBe(true);
    for (const own of Object.getOwnPropertyNames(Step.prototype).filter((n) => n !== 'constructor'))
      expect(names.has(own)).toBe(true);
    expect(names.has('constructor')).toBe(false);
  });

  it('rejects a function step parameter named like a Step member at definition (pipelineStep({ params: { invoke: 1 } }))', () => {
    expect(() => pipelineStep({ params: { invoke: 1 } }, (x: number) => x)).toThrow(
      StepDefinitionError,
    );
    expect(() => pipelineStep({ params: { identity: 1 } }, (x: number) => x)).toThrow(/identity/);
    expect(() => pipelineStep({ params: { run: 1 } }, (x: number) => x)).toThrow(/run/);
  });

  it('rejects a @Param field named like a Step member when the class is defined, with the fix', () => {
    const define = (): unknown => {
      class Shadows extends Step<number, number> {
        // @ts-expect-error TypeScript flags the clash too; plain JavaScript (or `any`) would not.
        @Param() invoke = 1;
        @PipelineStep()
        run(x: number): number {
          return x;
        }
      }
      return Shadows;
    };
    expect(define).toThrow(StepDefinitionError);
    expect(define).toThrow(/@Param\(\) 'invoke'.*Step member.*@Param\(\{ key: 'invoke' \}\)/);
  });

  it('still accepts a @Param that reads a context key named like a member through `key`', () => {
    class Reads extends Step<number, number> {
      @Param({ key: 'name' }) label = 'x';
      @PipelineStep()
      run(x: number): number {
        return x;
      }
    }
    expect(new Reads().paramNames).toEqual(['label']);
  });
});
