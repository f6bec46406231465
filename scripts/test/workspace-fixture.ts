import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository's scripts/ folder (jest runs from the repository root). */
const scripts = resolve(process.cwd(), 'scripts');

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throw-away workspace on disk: write files into it, run a repo script against it. */
export class WorkspaceFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'crystallize-tooling-'));

  write(path: string, text: string): this {
    const file = join(this.root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return this;
  }

  /** A workspace package `packages/<folder>` named `name`. */
  pkg(folder: string, name: string): this {
    return this.write(`packages/${folder}/package.json`, JSON.stringify({ name }));
  }

  remove(path: string): this {
    rmSync(join(this.root, path), { force: true });
    return this;
  }

  /** Runs `node scripts/<script> --root <fixture> ...args` in a real child process. */
  run(script: string, ...args: string[]): ScriptRun {
    const out = spawnSync(process.execPath, [join(scripts, script), '--root', this.root, ...args], {
      encoding: 'utf8',
    });
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
