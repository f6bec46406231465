/**
 * Every error Crystallize raises extends {@link CrystallizeError}, so callers can catch the
 * framework's failures in one place and still tell them apart by class.
 */
export class CrystallizeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A context key was written twice. Contexts are add-only so a run's inputs cannot drift. */
export class ContextMutationError extends CrystallizeError {
  /** The key that could not be written. */
  readonly key: string | undefined;
  constructor(message: string, options?: { cause?: unknown; key?: string }) {
    super(message, options);
    this.key = options?.key;
  }
}

/** A step parameter could not be resolved, coerced or was not declared. */
export class InjectionError extends CrystallizeError {}

/** A step class is declared wrongly (no `@PipelineStep` method, two of them, ...). */
export class StepDefinitionError extends CrystallizeError {}

/** A step failed while the pipeline ran; `stepName` says which, `cause` holds the original error. */
export class PipelineExecutionError extends CrystallizeError {
  readonly stepName: string;
  constructor(stepName: string, cause: unknown, where?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Step '${stepName}' failed${where ? ` (${where})` : ''}: ${reason}`, { cause });
    this.stepName = stepName;
    if (cause instanceof Error && cause.stack) {
      this.stack = `${this.name}: ${this.message}\nCaused by: ${cause.stack}`;
    }
  }
}

/** A hypothesis asked for a metric that no step recorded. */
export class MissingMetricError extends CrystallizeError {
  readonly metric: string;
  constructor(metric: string, available: readonly string[], where = 'the metrics') {
    super(
      `Metric '${metric}' is missing from ${where}. Recorded metrics: ${
        available.length ? available.map((m) => `'${m}'`).join(', ') : '(none)'
      }. Record it with ctx.metrics.add('${metric}', value) or fix the hypothesis' metrics.`,
    );
    this.metric = metric;
  }
}

/** A declaration is invalid. `problems` lists every problem found, not just the first. */
export class ValidationError extends CrystallizeError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[] | string, subject = 'Validation') {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(
      list.length === 1
        ? `${subject} failed: ${list[0]}`
        : `${subject} failed with ${list.length} problems:\n${list.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = Object.freeze(list);
  }
}

/** The step-output cache could not hash, encode, read or write a value. */
export class CacheError extends CrystallizeError {}

/** What a {@link StorageError} was doing when the file system refused it. */
export type StorageOperation = 'write' | 'rename' | 'mkdir' | 'read' | 'remove';

/**
 * The file system refused to store (or read back) results: a folder that is read-only, full,
 * or a file where a folder must be. `path` and `operation` say where and what; `code` is the OS
 * error code (`EACCES`, `ENOSPC`, `ENOTDIR`, ...); `cause` holds the original error.
 * @example
 * if (!result.ok) for (const e of result.storageErrors) console.error(e.path, e.code);
 */
export class StorageError extends CrystallizeError {
  readonly path: string;
  readonly operation: StorageOperation;
  /** The OS error code, or `'UNKNOWN'`. */
  readonly code: string;
  constructor(
    path: string,
    operation: StorageOperation,
    cause: unknown,
    fix = 'check the permissions and free space of that folder, or choose another rootDir',
  ) {
    const code = storageErrorCode(cause);
    // By shape: fs errors may come from another realm (a vm, a test sandbox).
    const message = (cause as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(cause);
    const detail = reason.startsWith(code) ? reason : `${code}: ${reason}`;
    super(`could not ${operation} ${path} (${detail}); ${fix}.`, { cause });
    this.path = path;
    this.operation = operation;
    this.code = code;
  }
}

function storageErrorCode(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
