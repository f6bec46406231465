/**
 * The context a run shares between steps: add-only keys, values nobody can change behind your
 * back, metrics with tags, a seeded random source and resource factories.
 *   node apps/examples/dist/context.js
 */
import 'reflect-metadata';
import {
  ContextMutationError,
  FrozenContext,
  Param,
  PipelineStep,
  Step,
  resourceFactory,
  standaloneContext,
} from 'crystallize';
import { isEntryPoint } from './run-example.js';

/** A "client" built once per worker by a resource factory and shared by every step call. */
export class Tokenizer {
  static built = 0;
  constructor(readonly lowercase: boolean) {
    Tokenizer.built += 1;
  }
  tokenize(text: string): string[] {
    return (this.lowercase ? text.toLowerCase() : text).split(/\s+/).filter(Boolean);
  }
}

export class CountTokens extends Step<string, string[]> {
  // The context holds a factory under 'tokenizer'; the step receives what it builds.
  @Param() tokenizer!: Tokenizer;

  @PipelineStep()
  run(text: string, ctx: FrozenContext): string[] {
    const tokens = this.tokenizer.tokenize(text);
    ctx.record('tokens', tokens.length, { source: 'CountTokens' }); // same as ctx.metrics.add
    return tokens;
  }
}

export interface ContextSummary {
  readonly lr: number;
  readonly fallback: number;
  readonly mutationError: string;
  readonly callerChangeLeaked: boolean;
  readonly frozenRead: boolean;
  readonly metrics: Record<string, unknown>;
  readonly rngDraws: { readonly first: number[]; readonly again: number[] };
  readonly tokens: string[][];
  readonly tokenizersBuilt: number;
}

export async function main(): Promise<ContextSummary> {
  const config = { layers: [64, 32] };
  const ctx = new FrozenContext({ lr: 0.01, config });

  // Keys are add-only.
  ctx.add('epochs', 10);
  let mutationError = '';
  try {
    ctx.add('lr', 0.1);
  } catch (e) {
    if (e instanceof ContextMutationError) mutationError = e.message;
    else throw e;
  }

  // No aliasing: the context copied `config` on the way in, and what it hands out is frozen.
  config.layers.push(16);
  const stored = ctx.get('config') as { layers: number[] };
  const callerChangeLeaked = stored.layers.length !== 2;
  const frozenRead = Object.isFrozen(stored.layers);

  // Metrics append; tags stay aligned with values.
  ctx.metrics.add('loss', 0.9, { epoch: 1 });
  ctx.metrics.add('loss', 0.4, { epoch: 2 });

  // ctx.rng is seeded from `seed_used`: the same seed gives the same draws.
  const draws = (c: FrozenContext): number[] => [c.rng.next(), c.rng.int(1, 6), c.rng.normal()];
  const first = draws(new FrozenContext({ seed_used: 7 }));
  const again = draws(new FrozenContext({ seed_used: 7 }));

  // Resource factories: a function in the context is called with the ctx, its result injected;
  // resourceFactory(fn, { key }) builds one instance per worker.
  Tokenizer.built = 0;
  const tokenizer = resourceFactory(() => new Tokenizer(true), { key: 'example-tokenizer' });
  const step = new CountTokens();
  const c1 = standaloneContext({ tokenizer });
  const c2 = standaloneContext({ tokenizer });
  const tokens = [await step.call('Hello Crystallize', c1), await step.call('One two THREE', c2)];

  return {
    lr: ctx.get('lr') as number,
    fallback: ctx.get('momentum', 0.9),
    mutationError,
    callerChangeLeaked,
    frozenRead,
    metrics: {
      ...ctx.metrics.toObject(),
      lossTags: ctx.metrics.tags('loss'),
      tokens: c2.metrics.get('tokens'),
    },
    rngDraws: { first, again },
    tokens,
    tokenizersBuilt: Tokenizer.built,
  };
}

if (isEntryPoint(import.meta.url)) console.dir(await main(), { depth: null });
