/**
 * The Python crystallize-ml anchor (`--python`): the same workload shapes written for the Python
 * library (`apps/bench/python/*.py`), each run in a fresh `python3` process with the checkout
 * named by `CZ_SRC` on `PYTHONPATH`, so our cold figures and Python's come from one run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrystallizeError } from '@crystallize/core';
import type { PythonAnchor } from '../harness.js';
import { runFresh, type FreshOptions, type FreshRun } from './fresh-process.js';

/** The Python anchor cannot run here; the message says what is missing and how to fix it. */
export class PythonAnchorError extends CrystallizeError {}

/** `apps/bench/python` (this file is `apps/bench/dist/cold/python-anchor.js` once built). */
export const ANCHOR_SCRIPTS = fileURLToPath(new URL('../../python', import.meta.url));

const DEBIAN_PACKAGES =
  'python3-yaml python3-networkx python3-tqdm python3-rich python3-dill python3-dotenv';

/**
 * Checks that the anchor can run: `CZ_SRC` names a crystallize-ml checkout, the interpreter
 * (`CZ_PYTHON`, else Debian's `/usr/bin/python3`, else `python3`) imports it. Importing it once
 * here also leaves its bytecode compiled, as an installed package has it.
 */
export function findPythonAnchor(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PythonAnchor {
  const src = env.CZ_SRC;
  if (!src) {
    throw new PythonAnchorError(
      '`--python` needs a crystallize-ml checkout: set CZ_SRC=/path/to/crystallize-ml (the ' +
        'folder holding the `crystallize` package and pyproject.toml) and run it again.',
    );
  }
  const pyproject = join(src, 'pyproject.toml');
  if (!existsSync(join(src, 'crystallize', '__init__.py')) || !existsSync(pyproject)) {
    throw new PythonAnchorError(
      `CZ_SRC=${src} is not a crystallize-ml checkout: it has no crystallize/__init__.py and ` +
        'pyproject.toml. Point CZ_SRC at the repository root of crystallize-ml.',
    );
  }
  const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(pyproject, 'utf8'))?.[1] ?? '?';
  const python = env.CZ_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const probe = (code: string) =>
    spawnSync(python, ['-c', code], {
      env: { ...process.env, PYTHONPATH: src },
      encoding: 'utf8',
    });
  const imported = probe('import crystallize');
  if (imported.error || imported.status !== 0) {
    const why = imported.error?.message ?? imported.stderr.trim().split('\n').pop() ?? '';
    throw new PythonAnchorError(
      `${python} cannot import crystallize from CZ_SRC=${src}: ${why}. On Debian, install its ` +
        `dependencies with \`apt-get install ${DEBIAN_PACKAGES}\`, or set CZ_PYTHON to an ` +
        'interpreter that has them.',
    );
  }
  const numpy = probe('import numpy').status === 0;
  return { python, src, scripts: ANCHOR_SCRIPTS, version, numpy };
}

/** Runs one anchor script (`w1.py`, ...) in a fresh Python process. */
export function runAnchor(
  anchor: PythonAnchor,
  script: string,
  args: readonly string[],
  options: FreshOptions = {},
): FreshRun {
  return runFresh(anchor.python, [join(anchor.scripts, script), ...args], {
    ...options,
    env: { ...options.env, PYTHONPATH: anchor.src },
  });
}

/** Runs `python3 <args>` (no anchor script: the import figure) in a fresh process. */
export function runPython(anchor: PythonAnchor, args: readonly string[]): FreshRun {
  return runFresh(anchor.python, args, { env: { PYTHONPATH: anchor.src }, report: false });
}

/** The fields every Python line carries. */
export function pythonParams(anchor: PythonAnchor): Record<string, string> {
  return { impl: 'python', crystallize_ml: anchor.version, python: anchor.python };
}
