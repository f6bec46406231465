// Runs in both jest projects. Each run proves which decorator dialect compiled this file, so the
// two runs cannot silently be the same (the jest config itself is pinned in decorator-projects.test.ts).
import 'reflect-metadata';
import { Param, PipelineStep, Step, standaloneContext } from '@crystallize/core';

let probeArgs: unknown[] = [];
function probe(...args: unknown[]): void {
  probeArgs = args;
}

class Probe {
  @probe value = 1;
}

class Typed extends Step<unknown, number> {
  @Param() n!: number;
  @PipelineStep()
  run(): number {
    return this.n;
  }
}

const metadataSymbol = (Symbol as unknown as { metadata: symbol }).metadata;

function detectMode(): 'legacy' | 'tc39' {
  if (typeof probeArgs[1] === 'string') return 'legacy';
  if ((probeArgs[1] as { kind?: string } | undefined)?.kind === 'field') return 'tc39';
  throw new Error(`unrecognised decorator arguments: ${String(probeArgs)}`);
}
const mode = detectMode();

describe(`decorator dialect (${mode})`, () => {
  it('receives decorator arguments of exactly one dialect', () => {
    expect(new Probe().value).toBe(1);
    if (mode === 'legacy') {
      expect(probeArgs[0]).toBe(Probe.prototype);
      expect(probeArgs[1]).toBe('value');
    } else {
      expect(probeArgs[0]).toBeUndefined();
      expect(probeArgs[1]).toMatchObject({ kind: 'field', name: 'value', static: false });
    }
  });

  it('has design:type metadata in legacy mode and an own Symbol.metadata object in tc39 mode', () => {
    const designType: unknown = Reflect.getMetadata('design:type', Typed.prototype, 'n');
    const ownMetadata = Object.prototype.hasOwnProperty.call(Typed, metadataSymbol);
    if (mode === 'legacy') {
      expect(designType).toBe(Number);
      expect(ownMetadata).toBe(false);
    } else {
      expect(designType).toBeUndefined();
      expect(ownMetadata).toBe(true);
      expect(typeof (Typed as unknown as Record<symbol, unknown>)[metadataSymbol]).toBe('object');
    }
  });

  it('defines Symbol.metadata even on Node 20, where it is missing', () => {
    expect(typeof metadataSymbol).toBe('symbol');
  });

  it('coerces a context string for a typed param without a default only where the type is known', async () => {
    // Documented fallback: with no design:type (tc39) and no default, the raw value is injected;
    // `@Param({ type: Number })` restores coercion (see coercion.test.ts).
    const out = await new Typed().call(undefined, standaloneContext({ n: '2.5' }));
    expect(out).toBe(mode === 'legacy' ? 2.5 : '2.5');
  });
});
