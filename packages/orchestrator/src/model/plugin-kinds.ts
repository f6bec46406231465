import type { FrozenContext } from '@crystallize/core';

/*
 * Plugins, execution backends and artifacts are recognised by shape and by well-known brands,
 * never by class identity (`instanceof`): two copies of the framework in one process — a worker
 * that loads both the compiled files and the sources, a library bundling its own copy — must still
 * wire each other's plugins. This is how NestJS detects lifecycle hooks: by the method being
 * there. `Symbol.for` keys are shared by every copy in the process.
 */

/** The property naming which built-in role a plugin plays (`'artifact'`, `'seed'`, `'logging'`). */
export const PLUGIN_KIND: unique symbol = Symbol.for('crystallize.plugin.kind') as never;

/** The property `BasePlugin` (of any copy) sets: a plugin that overrides no hook is still one. */
export const PLUGIN_BRAND: unique symbol = Symbol.for('crystallize.plugin') as never;

const HOOKS = [
  'initHook',
  'beforeRun',
  'beforeReplicate',
  'beforeStep',
  'afterStep',
  'afterStepRecord',
  'afterRun',
  'runFailed',
  'runExperimentLoop',
] as const;

/** Whether `value` is a plugin: branded by a `BasePlugin`, of a known kind, or with a hook method. */
export function isPluginLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<PropertyKey, unknown>;
  return (
    v[PLUGIN_BRAND] === true ||
    pluginKind(value) !== undefined ||
    HOOKS.some((h) => typeof v[h] === 'function')
  );
}

/** The property that marks an `Artifact` (a named file a step writes; bound per step call). */
export const ARTIFACT_BRAND: unique symbol = Symbol.for('crystallize.artifact') as never;

/** The built-in roles an experiment looks its plugins up by. */
export type PluginKind = 'artifact' | 'seed' | 'logging';

/** The kind a plugin (or a plugin class's prototype) declares, if any. */
export function pluginKind(value: unknown): string | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    return undefined;
  const kind = (value as { [PLUGIN_KIND]?: unknown })[PLUGIN_KIND];
  return typeof kind === 'string' ? kind : undefined;
}

/** The first plugin of `kind` in `plugins`. */
export function findPluginOfKind<P>(plugins: readonly unknown[], kind: PluginKind): P | undefined {
  return plugins.find((p) => pluginKind(p) === kind) as P | undefined;
}

/**
 * The plugin `cls` stands for: an instance of it, or — when `cls` declares a kind of its own
 * (ArtifactPlugin, SeedPlugin, LoggingPlugin) — any plugin of that kind, whichever copy of the
 * framework built it. A subclass without its own kind is matched by `instanceof` only.
 */
export function findPlugin<P>(
  plugins: readonly unknown[],
  cls: abstract new (...args: never[]) => P,
): P | undefined {
  const proto = cls.prototype as object | undefined;
  const kind =
    proto !== undefined && Object.prototype.hasOwnProperty.call(proto, PLUGIN_KIND)
      ? pluginKind(proto)
      : undefined;
  return plugins.find(
    (p): p is P => p instanceof cls || (kind !== undefined && pluginKind(p) === kind),
  );
}

/** Whether `value` is an artifact declaration (any copy of the framework's `Artifact`). */
export function isArtifactLike(value: unknown): value is ArtifactLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [ARTIFACT_BRAND]?: unknown })[ARTIFACT_BRAND] === true &&
    typeof (value as ArtifactLike).bind === 'function'
  );
}

/** What the pipeline runner needs of an artifact `@Param`: a copy bound to one step call. */
export interface ArtifactLike {
  readonly [ARTIFACT_BRAND]: true;
  readonly name: string;
  bind(ctx: FrozenContext, step: string): unknown;
}
