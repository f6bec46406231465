/*
 * A YAML step parameter is converted exactly as a context value is: both go through core's
 * coerceParam, so the two cannot drift apart.
 */
import { join } from 'node:path';
import { coerceParam } from '@crystallize/core/internal';
import { loadExperiment } from '@crystallize/config';

const folder = join(import.meta.dirname, 'fixtures', 'coercion', 'experiments', 'typed-params');

describe('YAML step parameters', () => {
  it('converts a YAML step parameter exactly as a context value is converted (dates, NaN, booleans, classes)', async () => {
    const exp = await loadExperiment(folder, { logLevel: 'silent' });
    const step = exp.pipeline.steps[0];
    if (!step) throw new Error('no step');
    const params = step.params as Record<string, unknown>;
    const when = params['when'];
    expect(when).toBeInstanceOf(Date);
    expect((when as Date).toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(params['ratio']).toBeNaN();
    expect(params['flag']).toBe(false);
    expect((params['window'] as { length: number }).length).toBe(3);
    // The same values through core's one conversion (as injection converts a context value).
    const yaml: Record<string, unknown> = {
      when: '2024-01-02T00:00:00.000Z',
      ratio: 'NaN',
      flag: 'off',
    };
    const defaults: Record<string, unknown> = { when: new Date(0), ratio: 1, flag: true };
    for (const name of Object.keys(yaml)) {
      const c = coerceParam(
        yaml[name],
        { field: name, key: name, type: undefined },
        defaults[name],
      );
      expect(c.ok && c.value).toEqual(params[name]);
    }
  });

  it('refuses what a context value is refused, saying what was expected', () => {
    const param = { field: 'ratio', key: 'ratio', type: Number };
    expect(coerceParam('abc', param, 1)).toEqual({
      ok: false,
      expected: 'a number',
      type: 'Number',
    });
    expect(coerceParam('maybe', { ...param, type: Boolean }, true)).toMatchObject({ ok: false });
  });
});
