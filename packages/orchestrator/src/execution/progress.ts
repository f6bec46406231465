import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';

// Loaded only when a bar is shown (a TTY and progress: true).
const require = createRequire(import.meta.url);

/** Replicates done / total, rate and ETA on a TTY; silent when stderr is not a terminal. */
export interface Progress {
  tick(): void;
  stop(): void;
}

const silent: Progress = { tick() {}, stop() {} };

export function createProgress(enabled: boolean, total: number, label: string): Progress {
  if (!enabled || !process.stderr.isTTY || total <= 0) return silent;
  const cliProgress = require('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} replicates | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, 0, { rate: '0.0' });
  let done = 0;
  return {
    tick() {
      done += 1;
      const secs = (Date.now() - started) / 1000;
      bar.update(done, { rate: secs > 0 ? (done / secs).toFixed(1) : '0.0' });
    },
    stop() {
      bar.stop();
    },
  };
}
