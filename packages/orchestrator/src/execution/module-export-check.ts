import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError, type Treatment } from '@crystallize/core';
import type { ExperimentModel } from '../model/experiment-model.js';
import {
  assertSameIdentity,
  experimentIdentity,
  isExperimentLike,
  type IdentityOptions,
} from './experiment-identity.js';

/*
 * The parent's checks before a backend sends work elsewhere: the module's export of this
 * experiment is the very configuration being run, and every function treatment is one the
 * rebuilt side can find.
 */

function isExperiment(value: unknown): value is ExperimentModel {
  return typeof value === 'object' && value !== null && isExperimentLike(value);
}

/** The script node was started with, as a file URL. */
function entryUrl(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    return pathToFileURL(realpathSync(entry)).href;
  } catch {
    return pathToFileURL(resolve(entry)).href;
  }
}

/**
 * The module's namespace as this process loaded it — unless the module is still evaluating:
 * `await exp.run()` at the top level of the entry script would wait on itself (a top-level
 * await that never settles). A module that is not the entry gets a generous bound instead of a
 * hang; past it, or when the import fails, the rebuilt side's own check is what remains.
 */
async function importIfEvaluated(module: string): Promise<Record<string, unknown> | undefined> {
  const url = module.split(/[?#]/)[0];
  if (url === entryUrl()) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      import(module) as Promise<Record<string, unknown>>,
      new Promise<undefined>((done) => {
        timer = setTimeout(() => done(undefined), 10_000);
      }),
    ]);
  } catch {
    return undefined; // the rebuilding side reports a module that cannot be imported, with the fix
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The parent's side, before anything is sent: when the module (as this process loaded it)
 * exports an experiment of that name that is another object than the one being run — built by a
 * factory, say — compares the two with functions by reference (a data source or function
 * treatment from another closure differs even when its source text is the same). The rebuilt
 * side's own check (after import, values only) catches an export changed after import.
 */
export async function assertModuleExportMatches(
  experiment: ExperimentModel,
  module: string,
  backend: string,
): Promise<void> {
  const ns = await importIfEvaluated(module);
  if (!ns) return;
  const exported = Object.values(ns)
    .filter(isExperiment)
    .find((e) => e.name === experiment.name);
  if (!exported || exported === experiment) return;
  const opts: IdentityOptions = { functions: 'reference' };
  assertSameIdentity(experimentIdentity(experiment, opts), experimentIdentity(exported, opts), {
    experiment: experiment.name,
    module,
    expectedLabel: 'in the experiment run() was called on',
    actualLabel: `in the module's export '${experiment.name}'`,
    backend,
  });
}

/**
 * A function treatment cannot be sent: the rebuilt side uses the experiment's own treatment of
 * that name. One given to `run()` must therefore be that very treatment, not another function
 * under the same name.
 */
export function assertFunctionTreatmentsDeclared(
  experiment: ExperimentModel,
  treatments: readonly Treatment[],
  backend: string,
): void {
  const problems = treatments
    .filter((t) => !t.values && !experiment.treatments.includes(t))
    .map(
      (t) =>
        `treatment '${t.name}' given to run() is a function that is not one of experiment '${experiment.name}''s own treatments, ` +
        'so a worker cannot run it (it would use its own treatment of that name, or none). Declare it in ' +
        'new Experiment({ treatments: [...] }) at the module top level, or use a { key: value } treatment.',
    );
  if (problems.length) throw new ValidationError(problems, backend);
}
