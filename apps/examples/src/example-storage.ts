/**
 * Where the examples keep what they store: everything under the example's own folder (see
 * `exampleDir`), results and artifacts in `<dir>/data`, the step cache in `<dir>/cache`.
 */
import { join } from 'node:path';
import { ArtifactPlugin, CacheStore } from 'crystallize';

/** The plugin that stores an example's runs (results, artifacts, provenance) under `<dir>/data`. */
export function artifactPluginUnder(dir: string): ArtifactPlugin {
  return new ArtifactPlugin({ rootDir: join(dir, 'data') });
}

/**
 * An example's step cache, at `<dir>/cache`. (Without one an experiment uses a store under
 * `CRYSTALLIZE_CACHE_DIR`, else `./.cache`: examples keep out of the current directory.)
 */
export function cacheStoreUnder(dir: string): CacheStore {
  return new CacheStore({ dir: join(dir, 'cache') });
}
