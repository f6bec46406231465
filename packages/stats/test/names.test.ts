import { isVerifierFactory, type VerifierFactory } from '@crystallize/core';
import * as stats from '@crystallize/stats';

// The naming rule of the README's "Names" section, checked over everything the package exports.
const ESTIMATES = ['bootstrapCI', 'cliffsDelta', 'cohensD', 'hedgesG', 'meanDiff'];
const HELPERS = ['adjustPValues', 'hedgesCorrection', 'pValueAdjustment'];

const exported = Object.entries(stats as Record<string, unknown>);
const factories = exported.filter((e): e is [string, VerifierFactory] => isVerifierFactory(e[1]));
const computeName = (verifierName: string): string =>
  `compute${verifierName[0]?.toUpperCase() ?? ''}${verifierName.slice(1)}`;

describe('stats names', () => {
  it('names every verifier factory by the rule: a test ends in Test, an estimate is named for its quantity', () => {
    expect(factories.length).toBe(10);
    for (const [name, factory] of factories) {
      expect(factory.verifierName).toBe(name);
      expect(name.endsWith('Test') || ESTIMATES.includes(name)).toBe(true);
    }
    expect(factories.map(([name]) => name).filter((n) => n.endsWith('Test'))).toEqual(
      expect.arrayContaining([
        'welchTTest',
        'studentTTest',
        'pairedTTest',
        'mannWhitneyUTest',
        'permutationTest',
      ]),
    );
  });

  it('pairs every verifier factory x with computeX, which gives the same result on plain arrays', () => {
    const baseline = [9.0, 9.4, 8.8, 9.1, 9.2, 8.7];
    const treatment = [10.1, 10.4, 9.9, 10.6, 10.2, 9.5];
    for (const [name, factory] of factories) {
      const compute = (stats as Record<string, unknown>)[computeName(name)];
      expect({ name, compute: typeof compute }).toEqual({ name, compute: 'function' });
      const viaVerifier = factory({ alpha: 0.1 })({ x: baseline }, { x: treatment });
      const direct = (compute as (t: number[], b: number[], o: object) => unknown)(
        treatment,
        baseline,
        { alpha: 0.1 },
      );
      expect(direct).toEqual(viaVerifier);
    }
  });

  it('exports no other array function than computeX of a verifier and the documented helpers', () => {
    const verifierNames = new Set(factories.map(([name]) => name));
    const others = exported
      .filter(([name, value]) => typeof value === 'function' && !verifierNames.has(name))
      .map(([name]) => name)
      .filter((name) => !HELPERS.includes(name));
    for (const name of others) {
      expect({ name, follows: [...verifierNames].some((v) => computeName(v) === name) }).toEqual({
        name,
        follows: true,
      });
    }
    expect(others).toHaveLength(factories.length);
  });
});
