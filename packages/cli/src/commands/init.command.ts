import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../usage-error.js';

/** The version of the Crystallize packages this command belongs to (they are released together). */
function crystallizeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A valid npm package name from a folder name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'crystallize-project';
}

function packageJson(dir: string): string {
  const range = `^${crystallizeVersion()}`;
  const pkg = {
    name: packageName(dir),
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      // ts-jest in ESM mode: the Crystallize packages are ES modules.
      test: 'node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js',
      typecheck: 'tsc --noEmit',
    },
    dependencies: {
      crystallize: range,
      'reflect-metadata': '^0.2.2',
    },
    devDependencies: {
      // The `crystallize` command (`npx crystallize run hello`).
      '@crystallize/cli': range,
      '@types/jest': '^30.0.0',
      '@types/node': '^20.19.0',
      jest: '^30.0.0',
      'ts-jest': '^29.4.0',
      typescript: '~5.9.3',
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "isolatedModules": true,
    "useDefineForClassFields": true,
    // Decorators: legacy mode, so @Param types come from design-time metadata (reflect-metadata).
    // Standard TC39 decorators also work: remove both lines (see the Crystallize README).
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "types": ["node", "jest"],
    "noEmit": true
  },
  "include": ["experiments", "test"]
}
`;

const JEST_CONFIG = `// jest runs TypeScript through ts-jest in ESM mode, with tsconfig.json's settings (decorators
// included): the Crystallize packages are ES modules, so \`npm test\` starts node with
// --experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },
  transform: { '^.+\\\\.ts$': ['ts-jest', { useESM: true }] },
};
`;

const CONFIG_YAML = `# A folder experiment: \`npx crystallize run hello\` runs it. Every key: the Crystallize README.
name: hello
description: Does doubling the data double its sum?
replicates: 8
seed: 42
datasource: numbers
steps:
  - Scale
  - Sum
treatments:
  doubled: { factor: 2 }
hypotheses:
  - name: sum_grows
    verifier: welchTTest
    metrics: sum
`;

const DATASOURCES = `import type { FrozenContext } from 'crystallize';

/** One replicate's input: ten noisy numbers around 10. ctx.rng is seeded per replicate. */
export function numbers(ctx: FrozenContext): number[] {
  return Array.from({ length: 10 }, () => 10 + ctx.rng.normal(0, 1));
}
`;

const STEPS = `import 'reflect-metadata';
import { Param, PipelineStep, Step, type FrozenContext } from 'crystallize';

/** Multiplies every value by \`factor\` (a treatment sets it through the context). */
export class Scale extends Step<number[], number[]> {
  @Param() factor = 1;

  @PipelineStep({ cacheable: true })
  run(data: number[]): number[] {
    return data.map((x) => x * this.factor);
  }
}

/** Records the metric \`sum\` that the hypothesis in config.yaml tests. */
export class Sum extends Step<number[], number> {
  @PipelineStep()
  run(data: number[], ctx: FrozenContext): number {
    const sum = data.reduce((a, b) => a + b, 0);
    ctx.metrics.add('sum', sum);
    return sum;
  }
}
`;

const TEST = `import { join } from 'node:path';
import { loadExperiment } from 'crystallize';
import { runExperiment, runStep } from 'crystallize/testing';
import { Scale } from '../experiments/hello/steps.js';

describe('hello', () => {
  it('scales by the factor from the context', async () => {
    const { output } = await runStep(new Scale(), [1, 2], { factor: 3 });
    expect(output).toEqual([3, 6]);
  });

  it('doubling the data makes the sum significantly larger', async () => {
    const exp = await loadExperiment(join(import.meta.dirname, '..', 'experiments', 'hello'));
    const result = await runExperiment(exp); // in a temporary folder, quiet, seeded
    expect(result).toHaveNoErrors();
    expect(result).toBeSignificant('sum_grows', 'doubled');
  });
});
`;

const GITIGNORE = `node_modules/
data/
.cache/
`;

/** The files \`init\` writes, relative to the project folder. */
function projectFiles(dir: string): Record<string, string> {
  return {
    'package.json': packageJson(dir),
    'tsconfig.json': TSCONFIG,
    'jest.config.js': JEST_CONFIG,
    '.gitignore': GITIGNORE,
    'experiments/hello/config.yaml': CONFIG_YAML,
    'experiments/hello/datasources.ts': DATASOURCES,
    'experiments/hello/steps.ts': STEPS,
    'test/hello.test.ts': TEST,
  };
}

/**
 * `crystallize init [dir]`: a new project in `dir` (default: the --root folder) — package.json,
 * tsconfig with decorators on, jest with ts-jest, `experiments/hello/` and a test of it.
 * Refuses a folder that has anything in it but `.git`.
 */
export async function initCommand(dir: string): Promise<number> {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory())
      throw new UsageError(`init ${dir}: ${target} is a file; give a new or empty folder.`);
    const entries = readdirSync(target).filter((e) => e !== '.git');
    if (entries.length > 0) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
      throw new UsageError(
        `init ${dir}: ${target} is not empty (${shown}); init writes a new project only into a new or empty folder. Pick another folder, or add an experiment to this project with 'crystallize new <name>'.`,
      );
    }
  }
  for (const [file, text] of Object.entries(projectFiles(target))) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  const cd = relative(process.cwd(), target) || '.';
  process.stdout.write(
    `created a Crystallize project in ${target}\nnext:\n  cd ${cd}\n  npm install\n  npx crystallize run hello\n  npm test\n`,
  );
  return 0;
}
