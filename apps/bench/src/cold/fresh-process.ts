/**
 * The cold tier's unit of measurement: one fresh process per sample. Starts a command, times
 * it from spawn to exit (the whole process: start, import, run, exit) and reads the JSON object
 * it prints as its last stdout line. Each process gets its own empty folder as its working
 * directory and as `CZ_BENCH_DIR`, removed when it exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrystallizeError } from '@crystallize/core';

/** The node child every cold figure but the import starts (`child.ts`, built). */
export const COLD_CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export type Report = Readonly<Record<string, unknown>>;

export interface FreshRun {
  /** Spawn to exit as the parent saw it, in ms. */
  readonly wallMs: number;
  /** The JSON object of the child's last stdout line (`{}` when `report: false`). */
  readonly report: Report;
}

export interface FreshOptions {
  /** Added to the parent's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Start the command through a small `sh` that forks it: on these machines a child's peak RSS
   * includes what its parent held at fork time, and the benchmark parent can be large.
   */
  readonly viaShell?: boolean;
  /** Whether the child prints a JSON report as its last stdout line (default true). */
  readonly report?: boolean;
}

/** A fresh benchmark process failed or printed no report. */
export class FreshProcessError extends CrystallizeError {}

const tail = (text: string): string => text.trim().split('\n').slice(-8).join('\n');

function parseReport(stdout: string, shown: string): Report {
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed: unknown = JSON.parse(last);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Report;
  } catch {
    // reported below
  }
  throw new FreshProcessError(
    `Fresh process \`${shown}\` printed no JSON report as its last stdout line ` +
      `(it printed: ${JSON.stringify(tail(stdout)) || 'nothing'}). A cold-tier child must end ` +
      'with one JSON object on stdout.',
  );
}

/** Runs `command args` once in a fresh process and times it from spawn to exit. */
export function runFresh(
  command: string,
  args: readonly string[],
  options: FreshOptions = {},
): FreshRun {
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-cold-'));
  const shown = [command, ...args].join(' ');
  try {
    const [file, argv] = options.viaShell
      ? ['sh', ['-c', '"$0" "$@"; exit $?', command, ...args]]
      : [command, [...args]];
    const t0 = performance.now();
    const child = spawnSync(file, argv, {
      cwd: dir,
      env: {
        ...process.env,
        CRYSTALLIZE_LOG_LEVEL: 'silent',
        ...options.env,
        CZ_BENCH_DIR: dir,
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - t0;
    if (child.error || child.status !== 0) {
      const why = child.error
        ? child.error.message
        : `exit code ${child.status}${child.signal ? `, signal ${child.signal}` : ''}`;
      throw new FreshProcessError(
        `Fresh process \`${shown}\` failed (${why}). Its stderr ends:\n${tail(child.stderr ?? '')}\n` +
          'Run the same command by hand to see all of its output.',
      );
    }
    return { wallMs, report: options.report === false ? {} : parseReport(child.stdout, shown) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A number the child reported under `key`; a clear error when it is missing. */
export function reported(run: FreshRun, key: string): number {
  const value = run.report[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FreshProcessError(
      `A cold-tier child reported no number \`${key}\` (its report: ${JSON.stringify(run.report)}).`,
    );
  }
  return value;
}
