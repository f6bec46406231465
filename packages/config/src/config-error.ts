import { relative, isAbsolute } from 'node:path';
import { ValidationError } from '@crystallize/core';

/** One problem in a folder experiment: where it is, which key, and what was expected. */
export interface ConfigIssue {
  /** Absolute path of the file the problem is in (usually `config.yaml`). */
  readonly file: string;
  /** 1-based line and column in `file` (1:1 when the file itself is the problem). */
  readonly line: number;
  readonly column: number;
  /** Key path in the YAML, e.g. `steps[1]` or `hypotheses[0].verifier` (empty: the whole file). */
  readonly path: string;
  /** What is wrong and what was expected, with a "did you mean" when one fits. */
  readonly message: string;
  /** Two source lines ending at the problem and a caret under its column (empty without source). */
  readonly excerpt: string;
}

function shown(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** `file:line:column path: message`, then the excerpt. */
export function formatIssue(issue: ConfigIssue): string {
  const head = `${shown(issue.file)}:${issue.line}:${issue.column} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  return issue.excerpt ? `${head}\n${issue.excerpt}` : head;
}

/**
 * Everything wrong with a folder experiment (or a graph of them), reported at once. `file`,
 * `line` and `column` locate the first problem; `issues` holds all of them.
 *
 * @example
 * try { await loadExperiment('experiments/demo'); }
 * catch (e) { if (e instanceof ConfigError) for (const i of e.issues) console.log(i.line, i.message); }
 */
export class ConfigError extends ValidationError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    if (issues.length === 0) throw new RangeError('ConfigError needs at least one issue');
    const list = [...issues];
    super(
      list.map(
        (i) => `${shown(i.file)}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ''}${i.message}`,
      ),
    );
    const first = list[0] as ConfigIssue;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.issues = Object.freeze(list);
    const files = [...new Set(list.map((i) => shown(i.file)))];
    this.message =
      `${list.length} problem${list.length > 1 ? 's' : ''} in ${files.join(', ')}:\n\n` +
      list.map(formatIssue).join('\n\n');
  }
}
