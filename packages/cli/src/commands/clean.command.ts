import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  ConfigError,
  findExperimentFolders,
  loadExperiment,
  readFolderInfo,
} from '@crystallize/config';
import { ArtifactPlugin } from '@crystallize/orchestrator';
import { resolveTarget, type Project } from '../project.js';
import {
  listVersions,
  readConditionProvenance,
  readConditionSummary,
} from '@crystallize/orchestrator/internal';
import { humanSize, sizeOf } from '../internal/disk-size.js';
import { UsageError } from '../usage-error.js';

interface Removable {
  readonly path: string;
  readonly bytes: number;
  readonly why: string;
}

/** Retention of each experiment: its ArtifactPlugin's (3 unless configured). */
async function retentionOf(
  folder: string,
  p: Project,
): Promise<{ name: string; retention: number }> {
  try {
    const exp = await loadExperiment(folder, { dataDir: p.dataDir, logLevel: 'silent' });
    return { name: exp.name, retention: exp.plugin(ArtifactPlugin)?.retention ?? 3 };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { name: readFolderInfo(folder).name, retention: 3 };
  }
}

/** Step keys the latest stored run of each experiment used (provenance.jsonl headers, or the run journal's records). */
function liveStepKeys(p: Project, names: readonly string[]): Set<string> {
  const live = new Set<string>();
  for (const name of names) {
    const expDir = join(p.dataDir, name);
    const versions = listVersions(expDir);
    const last = versions[versions.length - 1];
    if (last === undefined) continue;
    const dir = join(expDir, `v${last}`);
    for (const c of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, c.name, 'provenance.jsonl');
      if (!c.isDirectory()) continue;
      if (!existsSync(file)) {
        // Provenance kept in the run journal: every step key its records used.
        const summary = readConditionSummary(dir, c.name);
        if (!summary) continue;
        for (const records of Object.values(readConditionProvenance(dir, c.name, summary)))
          for (const r of records) live.add(r.cacheKey);
        continue;
      }
      const header = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
      try {
        // `cacheKey`; runs stored before the rename call it `stepHash`.
        const parsed = JSON.parse(header) as { steps?: { cacheKey?: string; stepHash?: string }[] };
        for (const s of parsed.steps ?? []) {
          const key = s.cacheKey ?? s.stepHash;
          if (key) live.add(key);
        }
      } catch {
        // an unreadable header keeps nothing alive
      }
    }
  }
  return live;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `crystallize clean [target]`: stored versions beyond each experiment's retention, and cache
 * entries of step keys that the latest stored run of no current experiment used (old code, old
 * parameters, removed experiments).
 */
export async function cleanCommand(
  p: Project,
  target: string | undefined,
  flags: { cache?: boolean; runs?: boolean; dryRun?: boolean; yes?: boolean },
): Promise<number> {
  const both = !flags.cache && !flags.runs;
  const all = findExperimentFolders(p.experimentsDir);
  let folders = all;
  if (target !== undefined) {
    const t = resolveTarget(p, target);
    if (t.kind !== 'folder')
      throw new UsageError(`clean takes one experiment folder; '${target}' is not one.`);
    folders = [t.folder];
  }
  const removable: Removable[] = [];
  if (both || flags.runs) {
    for (const f of folders) {
      const { name, retention } = await retentionOf(f, p);
      const expDir = join(p.dataDir, name);
      const versions = listVersions(expDir);
      for (const v of versions.slice(0, Math.max(0, versions.length - retention))) {
        const path = join(expDir, `v${v}`);
        removable.push({
          path,
          bytes: sizeOf(path),
          why: `${name} v${v}: beyond retention (${retention} kept)`,
        });
      }
    }
  }
  if ((both || flags.cache) && existsSync(p.cacheDir)) {
    const names = await Promise.all(all.map(async (f) => (await retentionOf(f, p)).name));
    const live = liveStepKeys(p, names);
    for (const d of readdirSync(p.cacheDir, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name.startsWith('.') || live.has(d.name)) continue;
      const path = join(p.cacheDir, d.name);
      removable.push({ path, bytes: sizeOf(path), why: 'cache: no current step uses this key' });
    }
  }
  const total = removable.reduce((n, r) => n + r.bytes, 0);
  if (removable.length === 0) {
    process.stdout.write('nothing to clean\n');
    return 0;
  }
  const lines = removable.map(
    (r) => `${humanSize(r.bytes).padStart(9)}  ${relative(p.root, r.path) || r.path}  (${r.why})`,
  );
  process.stdout.write(
    `${lines.join('\n')}\n${humanSize(total).padStart(9)}  total, ${removable.length} item(s)${flags.dryRun ? ' (dry run: nothing removed)' : ''}\n`,
  );
  if (flags.dryRun) return 0;
  if (!flags.yes) {
    if (!process.stdin.isTTY)
      throw new UsageError(
        'clean removes files: pass --yes to remove them, or --dry-run to only list them.',
      );
    if (!(await confirm(`remove these ${removable.length} item(s)? [y/N] `))) {
      process.stderr.write('nothing removed\n');
      return 0;
    }
  }
  for (const r of removable) rmSync(r.path, { recursive: true, force: true });
  process.stderr.write(`removed ${removable.length} item(s), ${humanSize(total)}\n`);
  return 0;
}
