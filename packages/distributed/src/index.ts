/**
 * @crystallize/distributed — replicates as BullMQ jobs on Redis, run by worker processes on any
 * machine with the same project checkout (SPEC §13).
 */
export {
  DistributedExecution,
  type ArtifactsOption,
  type DistributedExecutionOptions,
} from './distributed.execution.js';
export { startWorker, type DistributedWorker, type WorkerOptions } from './worker.js';
export { runWorkerCommand, type WorkerCommandOptions } from './worker-command.js';
export { redactRedisUrl, type RedisConnection } from './connection.js';
export {
  ArtifactTransportError,
  RedisConnectionError,
  ReplicateLostError,
  WorkerRefusedError,
} from './errors.js';
