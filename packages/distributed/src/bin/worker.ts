#!/usr/bin/env node
// A worker without the crystallize CLI (which offers the same as `crystallize worker`):
//   crystallize-distributed-worker --redis URL [--root DIR] [--concurrency N] [--queue NAME]
//     [--lock-duration MS] [--stalled-interval MS] [--max-stalled N] [--preload MODULE ...]
import { parseArgs } from 'node:util';
import { runWorkerCommand, type WorkerCommandOptions } from '../worker-command.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    root: { type: 'string' },
    concurrency: { type: 'string' },
    queue: { type: 'string' },
    'lock-duration': { type: 'string' },
    'stalled-interval': { type: 'string' },
    'max-stalled': { type: 'string' },
    preload: { type: 'string', multiple: true },
  },
});
if (!values.redis) {
  process.stderr.write(
    'usage: crystallize-distributed-worker --redis URL [--root DIR] [--concurrency N] [--preload MODULE ...]\n',
  );
  process.exit(2);
}
const num = (v: string | undefined): number | undefined =>
  v === undefined ? undefined : Number(v);
const concurrency = num(values.concurrency);
const lockDuration = num(values['lock-duration']);
const stalledInterval = num(values['stalled-interval']);
const maxStalledCount = num(values['max-stalled']);
const opts: WorkerCommandOptions = {
  redis: values.redis,
  ...(values.root !== undefined ? { root: values.root } : {}),
  ...(values.queue !== undefined ? { queue: values.queue } : {}),
  ...(concurrency !== undefined ? { concurrency } : {}),
  ...(lockDuration !== undefined ? { lockDuration } : {}),
  ...(stalledInterval !== undefined ? { stalledInterval } : {}),
  ...(maxStalledCount !== undefined ? { maxStalledCount } : {}),
  ...(values.preload !== undefined ? { preload: values.preload } : {}),
};
runWorkerCommand(opts).catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`${e.name}: ${e.message}\n`);
  process.exit(2);
});
