import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Where user code was written, for the code fingerprint to read the module around it. The site is
 * the first frame of the call stack outside Crystallize's own packages, taken when the code is
 * declared: when `@PipelineStep` decorates (the class body is being evaluated in its module),
 * when `pipelineStep()` is called, when an Experiment is built. Stack paths name the file that
 * runs — the .ts file under ts-jest and tsx, the .js file of a compiled build — and may be file
 * URLs (ES modules).
 */

const here = dirname(fileURLToPath(import.meta.url));
// This file lives in <packages>/core/{src,dist}/hashing/.
const packagesRoot = resolve(here, '..', '..', '..');
const OWN_PACKAGE =
  /\/(core|cache|orchestrator|crystallize|stats|config|cli|distributed)\/(src|dist)\//;
const INSTALLED = ['/node_modules/@crystallize/', '/node_modules/crystallize/'];

function isFramework(path: string): boolean {
  if (path.startsWith(packagesRoot + '/') && OWN_PACKAGE.test(path)) return true;
  return INSTALLED.some((p) => path.includes(p));
}

/** A stack frame's file as a path, or undefined for node internals and evaluated code. */
function framePath(file: string | null | undefined): string | undefined {
  if (!file || file.startsWith('node:')) return undefined;
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return file.startsWith('/') ? file : undefined;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+?):\d+:\d+\)?\s*$/;

function stackFiles(): string[] {
  const savedLimit = Error.stackTraceLimit;
  const savedPrepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 50;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: unknown } = {};
  try {
    Error.captureStackTrace(holder);
    const { stack } = holder;
    if (Array.isArray(stack)) {
      return (stack as NodeJS.CallSite[]).map((s) => s.getFileName() ?? '');
    }
    // Someone else formats stacks: read the text.
    return String(stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => FRAME.exec(line.trim())?.[1] ?? '');
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/**
 * The file of the user code calling into the framework now: the first frame outside
 * Crystallize's packages and outside `node_modules` (compiler helpers such as tslib's
 * `__decorate`, test runners). Undefined when there is none: code declared inside an installed
 * package is then fingerprinted by its own text.
 */
export function callerFile(): string | undefined {
  for (const raw of stackFiles()) {
    const path = framePath(raw);
    if (path && !isFramework(path) && !path.includes('/node_modules/')) return path;
  }
  return undefined;
}

/**
 * Where code was found. `inline`: the code may be written right there (a function passed inline
 * to `pipelineStep`, a decorated class), so when its name is not a top-level binding of the file
 * it is taken as defined in it; otherwise the file only refers to it by name.
 */
export interface DefinitionSite {
  readonly file: string;
  readonly inline: boolean;
}

const sites = new WeakMap<object, DefinitionSite>();

/** Records where `key` (a class, function or decorator metadata object) was declared. */
export function recordDefinitionSite(key: object, file = callerFile(), inline = true): void {
  if (file !== undefined && !sites.has(key)) sites.set(key, { file, inline });
}

export function definitionSiteOf(key: object): DefinitionSite | undefined {
  return sites.get(key);
}
