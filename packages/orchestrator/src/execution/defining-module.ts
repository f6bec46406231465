import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/*
 * Worker threads rebuild an experiment by importing the module that defined it. That module is
 * found from the call stack when the Experiment is constructed: the first frame outside
 * Crystallize's own packages.
 */

const FRAME = /\(?((?:file:\/\/)?\/[^():]+?):\d+:\d+\)?\s*$/;

// This file lives in <orchestrator>/{src,dist}/execution/: frames under the packages folder that
// holds Crystallize's packages (or an installed @crystallize scope) are the framework's own.
const here = dirname(fileURLToPath(import.meta.url));
const ownRoots = [
  resolve(here, '..', '..', '..'),
  '/node_modules/@crystallize/',
  '/node_modules/crystallize/',
];

function isOwn(file: string): boolean {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  if (
    path.startsWith((ownRoots[0] as string) + '/') &&
    /\/(core|cache|orchestrator|crystallize|stats|config|cli|distributed)\/(src|dist)\//.test(path)
  ) {
    return true;
  }
  return ownRoots.slice(1).some((r) => path.includes(r)) || path.startsWith('node:');
}

/** The file URL of the user module calling into the framework now, if the stack shows one. */
export function callerModule(): string | undefined {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    const file = m?.[1];
    if (!file || isOwn(file)) continue;
    return file.startsWith('file://') ? file : pathToFileURL(file).href;
  }
  return undefined;
}

/** Normalises a path or URL the user gave into a file URL. */
export function toModuleUrl(module: string): string {
  return /^[a-z]+:\/\//i.test(module) ? module : pathToFileURL(resolve(module)).href;
}
