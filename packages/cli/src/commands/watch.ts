import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFolderInfo } from '@crystallize/config';
import { resolveTarget, type Project } from '../project.js';
import type { RunFlags } from './run.command.js';
import { dirname, join } from 'node:path';

function folderAndUpstreams(folder: string): string[] {
  const out = new Set<string>([folder]);
  const visit = (f: string): void => {
    for (const up of readFolderInfo(f).upstreams) {
      const u = join(dirname(f), up);
      if (!out.has(u)) {
        out.add(u);
        visit(u);
      }
    }
  };
  visit(folder);
  return [...out];
}

/**
 * `run --watch`: runs in a child process (so edited modules load fresh), then reruns with
 * `--resume` whenever a file of the experiment (or of an upstream folder) changes; the cache and
 * the stored conditions make only the affected work run again. Ctrl-C ends watching.
 */
export async function watchCommand(p: Project, target: string, flags: RunFlags): Promise<number> {
  const t = resolveTarget(p, target);
  const paths =
    t.kind === 'folder'
      ? folderAndUpstreams(t.folder)
      : t.kind === 'graph'
        ? [t.root]
        : [dirname(t.file)];
  const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
  const args = process.argv.slice(2).filter((a) => a !== '--watch');
  let child: ChildProcess | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let runs = 0;
  const start = (): void => {
    if (child) {
      again = true;
      return;
    }
    const resume = runs > 0 && !args.includes('--resume') ? ['--resume'] : [];
    runs += 1;
    child = spawn(process.execPath, [bin, ...args, ...resume], { stdio: 'inherit' });
    child.on('exit', (code) => {
      child = undefined;
      process.stderr.write(
        `[watch] run ${runs} ended (exit ${code ?? 'signal'}); watching ${paths.length} folder(s) for changes, Ctrl-C to stop\n`,
      );
      if (again) {
        again = false;
        start();
      }
    });
  };
  const watchers: FSWatcher[] = paths.map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (file && /(^|[\\/])(node_modules|\.cache|data)([\\/]|$)/.test(String(file))) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        process.stderr.write(`[watch] ${file ?? 'a file'} changed: running again\n`);
        start();
      }, 150);
    }),
  );
  start();
  void flags;
  return new Promise<number>((resolveExit) => {
    process.once('SIGINT', () => {
      for (const w of watchers) w.close();
      clearTimeout(timer);
      child?.kill('SIGINT');
      resolveExit(0);
    });
  });
}
