import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where the code that produced (or reports) a run came from. */
export interface RunEnvironment {
  /** `name → version` of the Crystallize packages and the plotting libraries. */
  readonly packages: Readonly<Record<string, string>>;
  readonly node: string;
  /** `HEAD` of the git checkout holding the run (or the working directory), if any. */
  readonly gitCommit: string | undefined;
  /** The checkout had uncommitted changes when the report was written. */
  readonly gitDirty: boolean;
}

const PACKAGES = [
  'crystallize',
  '@crystallize/core',
  '@crystallize/cache',
  '@crystallize/orchestrator',
  '@crystallize/stats',
  '@crystallize/report',
  'vega',
  'vega-lite',
];

const require = createRequire(import.meta.url);

/**
 * Package versions as installed where the report is written (resolved from this package, so
 * what `import 'crystallize'` would load), and the git commit of the folder holding the run.
 */
export function runEnvironment(dir: string | undefined): RunEnvironment {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const version = installedVersion(name);
    if (version) packages[name] = version;
  }
  // The checkout holding the run, else the one the report is written from.
  const cwd = dir && existsSync(dir) && git(['rev-parse', 'HEAD'], dir) ? dir : process.cwd();
  const head = git(['rev-parse', 'HEAD'], cwd);
  const status = head ? git(['status', '--porcelain', '--untracked-files=no'], cwd) : undefined;
  return {
    packages,
    node: process.version,
    gitCommit: head || undefined,
    gitDirty: Boolean(status),
  };
}

function installedVersion(name: string): string | undefined {
  if (name === '@crystallize/report') return ownVersion();
  try {
    // Packages export only ".", so find package.json by walking up from the entry point.
    let d = dirname(require.resolve(name));
    for (let i = 0; i < 6; i++, d = dirname(d)) {
      const pj = join(d, 'package.json');
      if (!existsSync(pj)) continue;
      const p = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (p.name === name) return p.version;
    }
  } catch {
    // not installed beside the report: not listed
  }
  return undefined;
}

function ownVersion(): string | undefined {
  const pj = join(dirname(new URL(import.meta.url).pathname), '..', '..', 'package.json');
  try {
    return (JSON.parse(readFileSync(pj, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return undefined;
  }
}
