import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Reading what the ArtifactPlugin stored (SPEC §8): <data>/<experiment>/v<N>/metadata.json and
 * <condition>/results.json.
 */

export interface StoredConditionFile {
  readonly condition: string;
  readonly replicates: number;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, readonly unknown[]>>;
  readonly errors: Readonly<Record<string, { readonly message: string }>>;
  readonly artifacts: readonly {
    readonly name: string;
    readonly step: string;
    readonly path: string;
    readonly replicate: number;
  }[];
  readonly complete: boolean;
}

export interface StoredVersion {
  readonly version: number;
  readonly dir: string;
  readonly metadata: {
    readonly conditions?: readonly string[];
    readonly reused?: readonly string[];
    readonly pipelineSignature?: string;
    readonly aborted?: boolean;
    readonly completedAt?: string;
  };
  readonly conditions: readonly StoredConditionFile[];
}

export function listVersions(experimentDir: string): number[] {
  if (!existsSync(experimentDir)) return [];
  return readdirSync(experimentDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^v\d+$/.test(d.name))
    .map((d) => Number(d.name.slice(1)))
    .sort((a, b) => a - b);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function readVersion(experimentDir: string, version: number): StoredVersion {
  const dir = join(experimentDir, `v${version}`);
  const metadata = readJson<StoredVersion['metadata']>(join(dir, 'metadata.json')) ?? {};
  const names =
    metadata.conditions ??
    readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'results.json')))
      .map((d) => d.name);
  const conditions: StoredConditionFile[] = [];
  for (const c of names) {
    const r = readJson<Omit<StoredConditionFile, 'complete'>>(join(dir, c, 'results.json'));
    if (r)
      conditions.push({
        ...r,
        condition: c,
        complete: existsSync(join(dir, c, '.crystallize_complete')),
      });
  }
  return { version, dir, metadata, conditions };
}

/** Total size in bytes of a file or folder. */
export function sizeOf(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
