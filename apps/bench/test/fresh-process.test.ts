import { existsSync } from 'node:fs';
import { FreshProcessError, reported, runFresh } from '../src/cold/fresh-process.js';

const node = process.execPath;

describe('fresh processes (the cold tier)', () => {
  it('times a fresh process from spawn to exit and reads the JSON report it prints last', () => {
    const run = runFresh(node, [
      '-e',
      'console.log("warming up"); console.log(JSON.stringify({ run_ms: 1.5, kind: "x" }))',
    ]);
    expect(run.report).toEqual({ run_ms: 1.5, kind: 'x' });
    expect(reported(run, 'run_ms')).toBe(1.5);
    expect(run.wallMs).toBeGreaterThan(0);
  });

  it('gives each fresh process its own empty CZ_BENCH_DIR as cwd and removes it afterwards', () => {
    const script =
      'const fs = require("fs"); const d = process.env.CZ_BENCH_DIR;' +
      'fs.writeFileSync(d + "/f", "x");' +
      'console.log(JSON.stringify({ dir: d, cwd: process.cwd() === fs.realpathSync(d) }))';
    const a = runFresh(node, ['-e', script]);
    const b = runFresh(node, ['-e', script]);
    expect(a.report.cwd).toBe(true);
    expect(a.report.dir).not.toBe(b.report.dir);
    expect(existsSync(String(a.report.dir))).toBe(false);
  });

  it('can start the process through sh so its peak RSS is its own', () => {
    const run = runFresh(node, ['-e', 'console.log(JSON.stringify({ ppid: process.ppid }))'], {
      viaShell: true,
    });
    expect(reported(run, 'ppid')).not.toBe(process.pid);
  });

  it('names the command and the end of its stderr when a fresh process fails', () => {
    expect(() => runFresh(node, ['-e', 'console.error("boom: no data"); process.exit(3)'])).toThrow(
      /Fresh process `.*node -e .*` failed \(exit code 3\)\. Its stderr ends:\nboom: no data/,
    );
  });

  it('says so when a fresh process prints no JSON report, or not the number asked for', () => {
    expect(() => runFresh(node, ['-e', 'console.log("done")'])).toThrow(FreshProcessError);
    expect(() => runFresh(node, ['-e', 'console.log("done")'])).toThrow('printed no JSON report');
    expect(runFresh(node, ['-e', '0'], { report: false }).report).toEqual({});
    const run = runFresh(node, ['-e', 'console.log(JSON.stringify({ run_ms: "fast" }))']);
    expect(() => reported(run, 'run_ms')).toThrow('reported no number `run_ms`');
  });
});
