// `pnpm lint` step: unit-tier tests (see scripts/test-tiers.cjs) must run without a build and
// without processes, workers or the clock, so `pnpm test:unit` is fast and never flaky on a busy
// machine. Scans each unit test file and the local modules it imports (fixtures, helpers).
// Exit code 1 lists every offending line with the fix.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// `--root <dir>` checks another workspace (the script's own tests use it).
const rootArg = process.argv.indexOf('--root');
const root =
  rootArg >= 0
    ? resolve(process.argv[rootArg + 1])
    : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { isIntegration } = createRequire(import.meta.url)('./test-tiers.cjs');

const RULES = [
  [/\bperformance\.now\(|\bDate\.now\(|process\.hrtime/, 'reads the clock (a timing assertion?)'],
  [/['"](node:)?child_process['"]/, 'starts processes'],
  [/\bnew Worker\(|['"]tinypool['"]|\bnew ParallelExecution\(/, 'starts worker threads'],
  [/\bdist\/|build-workspace/, 'needs a build (loads dist/)'],
];

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The file and the local test modules (under a test/ folder) it imports, transitively. */
function withLocalImports(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file) || !/[\\/]test[\\/]/.test(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, spec] of source.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    withLocalImports(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

const tops = ['packages', 'apps'].flatMap((top) =>
  (existsSync(join(root, top)) ? readdirSync(join(root, top), { withFileTypes: true }) : [])
    .filter((e) => e.isDirectory())
    .map((e) => join(root, top, e.name, 'test')),
);
const problems = [];
let unitFiles = 0;
for (const file of tops.flatMap(testFiles)) {
  const rel = relative(root, file).split('\\').join('/');
  if (isIntegration(rel)) continue;
  unitFiles++;
  for (const scanned of withLocalImports(file)) {
    readFileSync(scanned, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const [re, why] of RULES) {
          if (re.test(text)) {
            const where = relative(root, scanned).split('\\').join('/');
            const via = scanned === file ? '' : ` (imported by ${rel})`;
            problems.push(`${where}:${i + 1}${via} ${why}: ${text.trim()}`);
          }
        }
      });
  }
}

if (problems.length > 0) {
  process.stderr.write(
    `check-test-tiers: ${problems.length} unit-tier line(s) need the integration tier:\n` +
      problems.map((p) => `  ${p}\n`).join('') +
      'Fix: move a timing figure to apps/bench (unit tests assert behaviour, never time), or name ' +
      'the file *.integration.test.ts (see scripts/test-tiers.cjs and README "Contributing").\n',
  );
  process.exit(1);
}
process.stdout.write(
  `check-test-tiers: ${unitFiles} unit test files start no process or worker, need no build, read no clock\n`,
);
