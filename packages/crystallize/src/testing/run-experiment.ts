import { CacheStore } from '@crystallize/cache';
import {
  ArtifactPlugin,
  Experiment,
  LoggingPlugin,
  SeedPlugin,
  type ExperimentPlugin,
  type ExperimentOptions,
  type Result,
  type RunOptions,
} from '@crystallize/orchestrator';
import { createTempRoot, type TempRoot } from './temp-root.js';

export interface RunExperimentOptions extends RunOptions {
  /**
   * Where the run is stored and cached. Default: a temporary folder removed when the run ends
   * (the returned `Result` stays usable; `result.dir` no longer exists). Give a
   * `useTempRoot()` root, or a folder path, to keep the files for the test to read.
   */
  readonly root?: TempRoot | string;
  /** Master seed (default: the experiment's own `SeedPlugin`, else the fixed default seed). */
  readonly seed?: number;
  /** Keep the run's logs on stderr (default: silent; `run.log` is still written). */
  readonly logs?: boolean;
}

function isExperiment(value: unknown): value is Experiment {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Experiment>).run === 'function' &&
    Array.isArray((value as Partial<Experiment>).plugins)
  );
}

/** The experiment's plugins with storage, logs and seed pointed at the test's choices. */
function testPlugins(
  plugins: readonly ExperimentPlugin[],
  dataDir: string,
  options: RunExperimentOptions,
): ExperimentPlugin[] {
  const out: ExperimentPlugin[] = [];
  let artifacts = false;
  let logging = false;
  let seeded = false;
  for (const p of plugins) {
    if (p instanceof ArtifactPlugin) {
      artifacts = true;
      out.push(
        new ArtifactPlugin({
          rootDir: dataDir,
          versioned: p.versioned,
          retention: p.retention,
          bigFileThresholdMb: p.bigFileThresholdMb,
        }),
      );
    } else if (p instanceof LoggingPlugin) {
      logging = true;
      out.push(new LoggingPlugin({ level: options.logs ? p.level : 'silent', verbose: p.verbose }));
    } else if (p instanceof SeedPlugin && options.seed !== undefined) {
      seeded = true;
      out.push(new SeedPlugin({ seed: options.seed, autoSeed: p.autoSeed, seedFn: p.seedFn }));
    } else {
      if (p instanceof SeedPlugin) seeded = true;
      out.push(p);
    }
  }
  if (!artifacts) out.push(new ArtifactPlugin({ rootDir: dataDir }));
  if (!logging) out.push(new LoggingPlugin({ level: options.logs ? 'info' : 'silent' }));
  if (!seeded && options.seed !== undefined) out.push(new SeedPlugin({ seed: options.seed }));
  return out;
}

function rebuild(
  source: Experiment | ExperimentOptions,
  root: TempRoot,
  options: RunExperimentOptions,
): Experiment {
  if (!isExperiment(source)) {
    return new Experiment({
      ...source,
      plugins: testPlugins(source.plugins ?? [], root.dataDir, options),
      cache: source.cache === false ? false : new CacheStore({ dir: root.cacheDir }),
    });
  }
  const exp = source;
  return new Experiment({
    ...(exp.named ? { name: exp.name } : {}),
    ...(exp.description !== undefined ? { description: exp.description } : {}),
    datasource: exp.datasource,
    pipeline: exp.pipeline,
    plugins: testPlugins(exp.plugins, root.dataDir, options),
    treatments: exp.treatments,
    hypotheses: exp.hypotheses,
    replicates: exp.replicates,
    initialCtx: exp.initialCtx,
    // Not `outputs`: listing them would make the copy (stored in a temporary folder) the
    // producer that downstream experiments built outside the test read from.
    cache: exp.cache === undefined ? false : new CacheStore({ dir: root.cacheDir }),
    ...(exp.definedIn !== undefined ? { module: exp.definedIn } : {}),
    onUnencodable: exp.onUnencodable,
  });
}

function toRoot(root: TempRoot | string): TempRoot {
  if (typeof root !== 'string') return root;
  return { dir: root, dataDir: `${root}/data`, cacheDir: `${root}/.cache`, cleanup: () => {} };
}

/**
 * Runs an experiment for a test in one call: results and cache in a temporary folder (removed
 * afterwards unless `root` is given), quiet logs, a fixed seed. Takes an `Experiment` (run as a
 * copy, so the original keeps its own storage) or the options of one.
 *
 * @example
 * const result = await runExperiment(exp, { replicates: 5 });
 * expect(result).toHaveNoErrors();
 * expect(result).toBeSignificant('sum_grows', 'double');
 */
export async function runExperiment(
  experiment: Experiment | ExperimentOptions,
  options: RunExperimentOptions = {},
): Promise<Result> {
  const root = options.root === undefined ? createTempRoot() : toRoot(options.root);
  // Worker threads build their own cache from the environment: point it at the same folder.
  const previousCacheDir = process.env['CRYSTALLIZE_CACHE_DIR'];
  process.env['CRYSTALLIZE_CACHE_DIR'] = root.cacheDir;
  try {
    const exp = rebuild(experiment, root, options);
    const { root: _root, seed: _seed, logs: _logs, ...runOptions } = options;
    return await exp.run(runOptions);
  } finally {
    if (previousCacheDir === undefined) delete process.env['CRYSTALLIZE_CACHE_DIR'];
    else process.env['CRYSTALLIZE_CACHE_DIR'] = previousCacheDir;
    if (options.root === undefined) root.cleanup();
  }
}
