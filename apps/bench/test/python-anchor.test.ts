import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ANCHOR_SCRIPTS,
  PythonAnchorError,
  findPythonAnchor,
  runAnchor,
} from '../src/cold/python-anchor.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder shaped like a crystallize-ml checkout whose package runs `init`. */
function checkout(init: string, version = '0.27.0'): string {
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-fake-ml-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'crystallize'));
  writeFileSync(join(dir, 'crystallize', '__init__.py'), init);
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "crystallize-ml"\nversion = "${version}"\n`,
  );
  return dir;
}

describe('the Python crystallize-ml anchor (--python)', () => {
  it('refuses to run without CZ_SRC and says how to point it at a checkout', () => {
    expect(() => findPythonAnchor({})).toThrow(PythonAnchorError);
    expect(() => findPythonAnchor({})).toThrow('set CZ_SRC=/path/to/crystallize-ml');
  });

  it('refuses a CZ_SRC that is not a crystallize-ml checkout', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cz-bench-empty-'));
    dirs.push(empty);
    expect(() => findPythonAnchor({ CZ_SRC: empty })).toThrow('is not a crystallize-ml checkout');
  });

  it("reads the checkout's version and imports it with Debian's python3", () => {
    const src = checkout('', '0.27.0');
    const anchor = findPythonAnchor({ CZ_SRC: src });
    expect(anchor).toMatchObject({ src, version: '0.27.0', scripts: ANCHOR_SCRIPTS });
    expect(typeof anchor.numpy).toBe('boolean');
  });

  it('names the Debian packages to install when python3 cannot import the checkout', () => {
    const src = checkout('import yaml_is_not_installed_here\n');
    expect(() => findPythonAnchor({ CZ_SRC: src })).toThrow(
      /cannot import crystallize from CZ_SRC=.*No module named 'yaml_is_not_installed_here'.*apt-get install python3-yaml/,
    );
  });

  it('ships anchor scripts (W1-W4) that python3 parses', () => {
    const scripts = readdirSync(ANCHOR_SCRIPTS).filter((f) => f.endsWith('.py'));
    expect(scripts).toEqual(expect.arrayContaining(['w1.py', 'w2.py', 'w3.py']));
    const parse = spawnSync(
      'python3',
      [
        '-c',
        'import ast, sys\nfor p in sys.argv[1:]:\n    ast.parse(open(p).read(), p)',
        ...scripts.map((f) => join(ANCHOR_SCRIPTS, f)),
      ],
      { encoding: 'utf8' },
    );
    expect(parse.stderr).toBe('');
    expect(parse.status).toBe(0);
  });

  it('runs an anchor script in a fresh python process with the checkout on PYTHONPATH', () => {
    const src = checkout('');
    const anchor = findPythonAnchor({ CZ_SRC: src });
    // The anchors' shared helper reports from the checkout's interpreter, as every anchor does.
    const probe = join(src, 'probe.py');
    writeFileSync(
      probe,
      'import sys, crystallize\nsys.path.insert(0, sys.argv[1])\nfrom _anchor import report, out_dir\nreport(run_ms=2.5, cwd=out_dir())\n',
    );
    const run = runAnchor({ ...anchor, scripts: src }, 'probe.py', [ANCHOR_SCRIPTS]);
    expect(run.report.run_ms).toBe(2.5);
    expect(typeof run.report.max_rss_mb).toBe('number');
  });
});
