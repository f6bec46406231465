#!/usr/bin/env node
// A worker without the crystallize CLI (which offers the same as `crystallize worker`):
//   crystallize-distributed-worker --redis URL [--root DIR] [--concurrency N] [--queue NAME]
//     [--lock-duration MS] [--stalled-interval MS] [--max-stalled N]
import { parseArgs } from 'node:util';
import { runWorkerCommand } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    root: { type: 'string' },
    concurrency: { type: 'string' },
    queue: { type: 'string' },
    'lock-duration': { type: 'string' },
    'stalled-interval': { type: 'string' },
    'max-stalled': { type: 'string' },
  },
});
if (!values.redis) {
  process.stderr.write(
    'usage: crystallize-distributed-worker --redis URL [--root DIR] [--concurrency N]\n',
  );
  process.exit(2);
}
const num = (v) => (v === undefined ? undefined : Number(v));
const opts = {
  redis: values.redis,
  ...(values.root !== undefined ? { root: values.root } : {}),
  ...(values.queue !== undefined ? { queue: values.queue } : {}),
  ...(values.concurrency !== undefined ? { concurrency: num(values.concurrency) } : {}),
  ...(values['lock-duration'] !== undefined ? { lockDuration: num(values['lock-duration']) } : {}),
  ...(values['stalled-interval'] !== undefined
    ? { stalledInterval: num(values['stalled-interval']) }
    : {}),
  ...(values['max-stalled'] !== undefined ? { maxStalledCount: num(values['max-stalled']) } : {}),
};
runWorkerCommand(opts).catch((error) => {
  process.stderr.write(`${error?.name ?? 'Error'}: ${error?.message ?? error}\n`);
  process.exit(2);
});
