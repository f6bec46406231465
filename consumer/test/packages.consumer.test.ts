/**
 * The consumer tier: Crystallize used from projects outside this workspace, installed with npm
 * from the packed tarballs (scripts/pack.mjs), as SPEC §14 and the README's "Use it in your
 * project" describe. Each project is a fixture under consumer/fixtures, copied to the OS temp
 * folder; `crystallize init` writes the last one.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildAndPack,
  installFixture,
  mustRun,
  npmInstall,
  repo,
  run,
  shown,
  type Ran,
  useTarballs,
  workFolder,
} from './consumer-projects.js';

const MINUTE = 60_000;
let work: string;
let tarballs: Map<string, string>;
const projects = new Map<string, string>();
let typeChecks: Promise<{ tarball: string; ran: Ran }[]>;

beforeAll(async () => {
  work = workFolder();
  tarballs = await buildAndPack();
  // The type check of the tarballs runs while npm installs (awaited by its test).
  const attw = join(repo, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  typeChecks = Promise.all(
    [...tarballs.values()].map(async (tarball) => ({
      tarball,
      ran: await run(process.execPath, [attw, tarball, '--format', 'ascii'], repo),
    })),
  );
  // One npm install per project, all at once (they mostly wait on the network and the disk).
  const names = ['cjs-app', 'esm-app', 'jest-app', 'bin-app'];
  const dirs = await Promise.all(names.map((n) => installFixture(n, work, tarballs)));
  names.forEach((n, i) => projects.set(n, dirs[i] as string));
}, 10 * MINUTE);

afterAll(() => {
  if (work && !process.env['CRYSTALLIZE_KEEP_CONSUMER'])
    rmSync(work, { recursive: true, force: true });
});

const project = (name: string): string => {
  const dir = projects.get(name);
  if (!dir) throw new Error(`project ${name} was not installed (see beforeAll)`);
  return dir;
};

interface PackedFile {
  readonly name: string;
  readonly files: string[];
  readonly manifest: Record<string, unknown>;
}

async function packed(tarball: string): Promise<PackedFile> {
  const list = await mustRun('tar', ['-tzf', tarball], repo);
  const manifest = await mustRun('tar', ['-xzOf', tarball, 'package/package.json'], repo);
  const json = JSON.parse(manifest.stdout) as Record<string, unknown>;
  return {
    name: String(json['name']),
    files: list.stdout.split('\n').filter(Boolean),
    manifest: json,
  };
}

describe('packed packages', () => {
  it('packs one tarball per public package', () => {
    expect([...tarballs.keys()].sort()).toEqual([
      '@crystallize/cache',
      '@crystallize/cli',
      '@crystallize/config',
      '@crystallize/core',
      '@crystallize/distributed',
      '@crystallize/orchestrator',
      '@crystallize/report',
      '@crystallize/stats',
      'crystallize',
    ]);
  });

  it('ships only dist, README, LICENSE and package.json, with workspace: versions replaced', async () => {
    for (const tarball of tarballs.values()) {
      const { name, files, manifest } = await packed(tarball);
      const outside = files.filter(
        (f) =>
          !f.startsWith('package/dist/') &&
          !['package/package.json', 'package/README.md', 'package/LICENSE'].includes(f),
      );
      expect({ name, outside }).toEqual({ name, outside: [] });
      expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE']));
      expect(manifest['license']).toBe('MIT');
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      const deps = (manifest['dependencies'] ?? {}) as Record<string, string>;
      for (const [dep, range] of Object.entries(deps)) {
        if (dep.startsWith('@crystallize/'))
          expect({ dep, range }).toEqual({ dep, range: '0.1.0' });
      }
    }
  });

  it(
    'declares import and require entries with types for each, checked by @arethetypeswrong/cli',
    async () => {
      for (const { tarball, ran } of await typeChecks) {
        const problems = ran.status === 0 ? '' : shown(`attw ${tarball}`, ran);
        expect({ tarball, problems }).toEqual({ tarball, problems: '' });
      }
    },
    5 * MINUTE,
  );
});

describe('a CommonJS TypeScript app (tsc, experimentalDecorators + emitDecoratorMetadata)', () => {
  it(
    'builds with tsc and runs an experiment with ParallelExecution in worker threads',
    async () => {
      const dir = project('cjs-app');
      await mustRun('npx', ['tsc', '-p', 'tsconfig.json'], dir);
      const r = await mustRun(process.execPath, ['dist/main.js'], dir, {
        CRYSTALLIZE_LOG_LEVEL: 'silent',
      });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
        format: string;
        threads: number[];
        errors: string[];
        baseline: number;
        double: number;
        p: number;
      };
      expect(out.format).toBe('commonjs');
      expect(out.errors).toEqual([]);
      expect(out.baseline).toBe(4);
      expect(out.double).toBe(4);
      // Replicates ran in worker threads (thread id 0 is the main thread).
      expect(out.threads.length).toBeGreaterThan(0);
      expect(out.threads).not.toContain(0);
      expect(out.p).toBeLessThan(0.05);
    },
    3 * MINUTE,
  );

  it('loads require("crystallize") as the same ES module instance that import() gives', async () => {
    const dir = project('cjs-app');
    const r = await mustRun(
      process.execPath,
      [
        '-e',
        "const c = require('crystallize'); import('crystallize').then((m) => console.log(m.Step === c.Step && m.Experiment === c.Experiment));",
      ],
      dir,
    );
    expect(r.stdout.trim()).toBe('true');
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
  });
});

describe('an ES module app with standard TC39 decorators and no reflect-metadata', () => {
  it(
    'builds with tsc and runs an experiment',
    async () => {
      const dir = project('esm-app');
      expect(readFileSync(join(dir, 'src', 'main.ts'), 'utf8')).not.toMatch(
        /import\s+'reflect-metadata'/,
      );
      await mustRun('npx', ['tsc', '-p', 'tsconfig.json'], dir);
      const r = await mustRun(process.execPath, ['dist/main.js'], dir, {
        CRYSTALLIZE_LOG_LEVEL: 'silent',
      });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<
        string,
        unknown
      >;
      expect(out).toEqual({
        format: 'esm',
        errors: [],
        double: [true, true, true, true],
        factorCoerced: true,
        significant: true,
      });
    },
    3 * MINUTE,
  );
});

describe('a jest suite with the default ts-jest preset (CommonJS, no --experimental-vm-modules)', () => {
  it(
    'tests a step with step.call, runs a small experiment, and explains ParallelExecution',
    async () => {
      const dir = project('jest-app');
      const r = await run('npx', ['jest', '--ci'], dir);
      expect({ status: r.status, output: r.status === 0 ? '' : shown('jest', r) }).toEqual({
        status: 0,
        output: '',
      });
      expect(r.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
    },
    3 * MINUTE,
  );
});

describe('the crystallize bin installed in a project', () => {
  it(
    'runs a folder experiment',
    async () => {
      const dir = project('bin-app');
      const r = await mustRun('npx', ['crystallize', 'run', 'hello', '--json'], dir);
      const out = JSON.parse(r.stdout) as {
        ok: boolean;
        experiments: Record<
          string,
          { result: { metrics: { baseline: { metrics: { sum: number[] } }; treatments: object } } }
        >;
      };
      expect(out.ok).toBe(true);
      const result = out.experiments['hello']?.result;
      expect(result?.metrics.baseline.metrics.sum).toHaveLength(4);
      expect(Object.keys(result?.metrics.treatments ?? {})).toEqual(['tripled']);
      expect(existsSync(join(dir, 'data', 'hello', 'v0'))).toBe(true);
    },
    3 * MINUTE,
  );
});

describe('crystallize init', () => {
  it(
    'writes a project that passes npm install, npx crystallize run hello and npm test',
    async () => {
      const dir = join(work, 'init-app');
      await mustRun('npx', ['crystallize', 'init', dir], project('bin-app'));
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      expect(pkg.dependencies['crystallize']).toBe('^0.1.0');
      // Crystallize is not in a registry yet: install it from the tarballs.
      useTarballs(dir, tarballs);
      await npmInstall(dir);
      const ran = await mustRun('npx', ['crystallize', 'run', 'hello'], dir);
      expect(ran.stdout).toMatch(/sum_grows/);
      const tested = await run('npm', ['test'], dir);
      expect({
        status: tested.status,
        output: tested.status === 0 ? '' : shown('npm test', tested),
      }).toEqual({
        status: 0,
        output: '',
      });
    },
    6 * MINUTE,
  );
});
