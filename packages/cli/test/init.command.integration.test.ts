/*
 * `crystallize init`: the built command writes a project; the project's experiment runs with
 * `crystallize run` and its jest test passes, with `crystallize` linked to this workspace's
 * package (installing the packed tarballs is the consumer tier's job).
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repo } from '../../config/test/helpers/temp-project.js';
import { bin, buildWorkspace, crystallize } from './cli.js';

beforeAll(buildWorkspace, 180_000);

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crystallize-init-'));
  made.push(dir);
  return dir;
}

/** `crystallize init <dir>` from `cwd`. */
function init(cwd: string, dir: string) {
  return spawnSync(process.execPath, [bin, 'init', dir], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** What `npm install` would put in node_modules, linked from this workspace. */
function link(project: string, name: string, target: string): void {
  const path = join(project, 'node_modules', name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

const version = (
  JSON.parse(readFileSync(join(repo, 'packages', 'crystallize', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

describe('crystallize init', () => {
  let project: string;
  beforeAll(() => {
    const parent = tempDir();
    const result = init(parent, 'my-app');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    project = join(parent, 'my-app');
    expect(result.stdout).toContain(`created a Crystallize project in ${project}`);
    expect(result.stdout).toContain('npx crystallize run hello');
  });

  it('writes package.json, tsconfig with decorators on, jest config, experiments/hello and a test', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
      );
    expect(files(project).sort()).toEqual([
      '.gitignore',
      'experiments/hello/config.yaml',
      'experiments/hello/datasources.ts',
      'experiments/hello/steps.ts',
      'jest.config.js',
      'package.json',
      'test/hello.test.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      name: string;
      type: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe('my-app');
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies['crystallize']).toBe(`^${version}`);
    expect(pkg.devDependencies['@crystallize/cli']).toBe(`^${version}`);
    expect(pkg.devDependencies['ts-jest']).toBeDefined();
    expect(pkg.scripts['test']).toContain('node_modules/jest/bin/jest.js');
    const tsconfig = readFileSync(join(project, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toContain('"experimentalDecorators": true');
    expect(tsconfig).toContain('"emitDecoratorMetadata": true');
    expect(readFileSync(join(project, 'test', 'hello.test.ts'), 'utf8')).toContain(
      "from 'crystallize/testing'",
    );
  });

  it('refuses a folder that is not empty, with exit code 2 and what to do instead', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = init(dir, '.');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${dir} is not empty (notes.txt)`);
    expect(result.stderr).toContain('crystallize new <name>');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('writes into an empty folder given as --root when no dir is given', () => {
    const dir = tempDir();
    const result = crystallize(dir, ['init']);
    expect(result.status).toBe(0);
    expect(readdirSync(dir)).toContain('package.json');
  });

  describe('with crystallize linked into node_modules', () => {
    beforeAll(() => {
      link(project, 'crystallize', join(repo, 'packages', 'crystallize'));
      link(
        project,
        'reflect-metadata',
        join(repo, 'packages', 'crystallize', 'node_modules', 'reflect-metadata'),
      );
    });

    it('runs experiments/hello as created: crystallize run hello', () => {
      const result = crystallize(project, ['run', 'hello'], { CRYSTALLIZE_LOG_LEVEL: 'silent' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('hello v0');
      expect(result.stdout).toContain('sum_grows: best treatment doubled');
    }, 60_000);

    it('passes its own jest test (npm test) with ts-jest and crystallize/testing', () => {
      for (const dev of ['jest', 'ts-jest', 'typescript', '@types/jest', '@types/node']) {
        link(project, dev, join(repo, 'node_modules', dev));
      }
      const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
        scripts: { test: string };
      };
      const [command = '', ...args] = pkg.scripts.test.split(' ');
      expect(command).toBe('node');
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const key of Object.keys(env)) if (key.startsWith('JEST')) delete env[key];
      delete env['CRYSTALLIZE_CACHE_DIR'];
      const result = spawnSync(process.execPath, args, {
        cwd: project,
        encoding: 'utf8',
        env,
        timeout: 180_000,
      });
      expect(result.stderr).toContain('Tests:       2 passed, 2 total');
      expect(result.status).toBe(0);
      // The test ran the experiment in a temporary folder, not in the project.
      expect(readdirSync(join(project, 'data'))).toEqual(['hello']);
    }, 200_000);
  });
});
