/**
 * Fresh projects outside the workspace that install the packed tarballs with npm, the way a user
 * installs Crystallize: one `pnpm pack` per package (scripts/pack.mjs), one `npm install` per
 * project, an npm cache kept under the repository's .cache/ so later runs install offline.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repo = resolve(process.cwd());
export const fixtures = join(repo, 'consumer', 'fixtures');
export const packDir = join(repo, '.cache', 'consumer', 'pack');
const npmCache = join(repo, '.cache', 'consumer', 'npm');

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: without what the workspace's own pnpm/jest run sets
 * (npm_config_*, npm_package_*, NODE_OPTIONS), which would otherwise steer npm and node here.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_OPTIONS$|JEST_WORKER_ID$|INIT_CWD$|PNPM_)/i.test(k)) continue;
    env[k] = v;
  }
  // Nothing of the workspace's node_modules/.bin (its own `crystallize`) on the PATH.
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(':')
    .filter((p) => !p.startsWith(repo))
    .join(':');
  return { ...env, npm_config_cache: npmCache, npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command to its end (no shell); never throws for a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: userEnv(extraEnv) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** A failed command's whole output, for the assertion message. */
export function shown(what: string, r: Ran): string {
  return `${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export async function mustRun(
  cmd: string,
  args: readonly string[],
  cwd: string,
  extraEnv?: Record<string, string>,
): Promise<Ran> {
  const r = await run(cmd, args, cwd, extraEnv);
  if (r.status !== 0) throw new Error(shown(`${cmd} ${args.join(' ')} (in ${cwd})`, r));
  return r;
}

/** Builds the workspace and packs every package; returns package name -> tarball path. */
export async function buildAndPack(): Promise<Map<string, string>> {
  await mustRun(process.execPath, ['scripts/build.mjs'], repo);
  await mustRun(process.execPath, ['scripts/pack.mjs', '--out', packDir], repo);
  const tarballs = new Map<string, string>();
  for (const file of readdirSync(packDir).filter((f) => f.endsWith('.tgz'))) {
    const path = join(packDir, file);
    const manifest = await mustRun('tar', ['-xzOf', path, 'package/package.json'], repo);
    tarballs.set((JSON.parse(manifest.stdout) as { name: string }).name, path);
  }
  return tarballs;
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, string>;
}

/**
 * Points a project's package.json at the tarballs: each Crystallize package it names gets
 * `file:<tarball>`, and the other Crystallize packages (what those depend on) are pinned the same
 * way, so npm never looks for them in the registry.
 */
export function useTarballs(projectDir: string, tarballs: ReadonlyMap<string, string>): void {
  const file = join(projectDir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  const named = new Set<string>();
  for (const section of [pkg.dependencies, pkg.devDependencies]) {
    if (!section) continue;
    for (const name of Object.keys(section)) {
      const tarball = tarballs.get(name);
      if (tarball) {
        section[name] = `file:${tarball}`;
        named.add(name);
      }
    }
  }
  pkg.dependencies ??= {};
  for (const [name, tarball] of tarballs) {
    if (!named.has(name)) pkg.dependencies[name] = `file:${tarball}`;
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** A new folder under the OS temp dir (outside the workspace), for this run's projects. */
export function workFolder(): string {
  return mkdtempSync(join(tmpdir(), 'crystallize-consumer-'));
}

/** Copies fixture `name` to `<work>/<name>`, points it at the tarballs and runs `npm install`. */
export async function installFixture(
  name: string,
  work: string,
  tarballs: ReadonlyMap<string, string>,
): Promise<string> {
  const dir = join(work, name);
  cpSync(join(fixtures, name), dir, { recursive: true });
  useTarballs(dir, tarballs);
  await npmInstall(dir);
  return dir;
}

export async function npmInstall(dir: string): Promise<void> {
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);
}
