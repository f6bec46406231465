import { Artifact } from '@crystallize/orchestrator';
import type { ExperimentConfig } from '../schema/config.schema.js';
import { lookup, type BuildScope } from './lookup.js';

const isFunction = (v: unknown): v is (...a: never[]) => unknown => typeof v === 'function';

/** `outputs:` — each alias as an Artifact, with its writer and loader from outputs.ts. */
export function buildOutputs(
  scope: BuildScope,
  outputs: ExperimentConfig['outputs'],
): Map<string, Artifact> {
  const built = new Map<string, Artifact>();
  for (const [alias, out] of Object.entries(outputs ?? {})) {
    const path = ['outputs', alias];
    const io = { kind: 'outputs' as const, expected: 'a function', accept: isFunction };
    const writer =
      out.writer !== undefined
        ? lookup(scope, out.writer, [...path, 'writer'], { ...io, what: 'writer' })
        : undefined;
    const loader =
      out.loader !== undefined
        ? lookup(scope, out.loader, [...path, 'loader'], { ...io, what: 'loader' })
        : undefined;
    try {
      built.set(
        alias,
        new Artifact(out.file_name, {
          ...(writer ? { writer: writer as (d: unknown) => string } : {}),
          ...(loader ? { loader: loader as (b: Buffer) => unknown } : {}),
        }),
      );
    } catch (e) {
      scope.issues.push(scope.source.issue([...path, 'file_name'], (e as Error).message));
    }
  }
  return built;
}

/** An output no step writes is a mistake (a typo in a step parameter, a forgotten step). */
export function checkOutputsWritten(
  scope: BuildScope,
  outputs: ReadonlyMap<string, Artifact>,
  written: ReadonlySet<string>,
): void {
  for (const alias of outputs.keys()) {
    if (!written.has(alias)) {
      scope.issues.push(
        scope.source.issue(
          ['outputs', alias],
          `output '${alias}' is not written by any step: give a step a @Param field named '${alias}', or set a step parameter to '${alias}' (e.g. - SaveIt: { out: ${alias} }).`,
          true,
        ),
      );
    }
  }
}
