import type { Document, LineCounter } from 'yaml';
import { yaml } from './lazy-modules.js';
import type { ConfigIssue } from '../config-error.js';

export type KeyPath = readonly (string | number)[];

/** `steps[1].ScaleData.factor` */
export function showPath(path: KeyPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/**
 * A parsed YAML file that can say where a key path is: line, column and an excerpt, through
 * the `yaml` package's LineCounter.
 */
export class YamlSource {
  readonly doc: Document.Parsed;
  readonly #lines: LineCounter;
  readonly #text: string[];

  constructor(
    readonly file: string,
    text: string,
  ) {
    const { LineCounter: Lines, parseDocument } = yaml();
    this.#lines = new Lines();
    this.doc = parseDocument(text, {
      lineCounter: this.#lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    this.#text = text.split(/\r?\n/);
  }

  /** Syntax errors of the YAML itself. */
  syntaxIssues(): ConfigIssue[] {
    return this.doc.errors.map((e) =>
      this.issueAt(e.pos[0], [], e.message.split('\n')[0] ?? e.message),
    );
  }

  /** The offset where `path` is: its key when `atKey`, else its value; the closest existing parent otherwise. */
  offsetOf(path: KeyPath, atKey = false): number {
    const { isMap, isScalar, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string | number;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return offset;
        const last = i === path.length - 1;
        if (last && atKey) return rangeStart(pair.key) ?? offset;
        node = pair.value;
        offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return offset;
        node = item;
        offset = rangeStart(item) ?? offset;
      } else {
        return offset;
      }
    }
    return offset;
  }

  issue(path: KeyPath, message: string, atKey = false): ConfigIssue {
    return this.issueAt(this.offsetOf(path, atKey), path, message);
  }

  issueAt(offset: number, path: KeyPath, message: string): ConfigIssue {
    const { line, col } = this.#lines.linePos(offset);
    return {
      file: this.file,
      line,
      column: col,
      path: showPath(path),
      message,
      excerpt: this.excerpt(line, col),
    };
  }

  excerpt(line: number, column: number): string {
    return excerpt(this.#text, line, column);
  }
}

/** The line before and the line of the problem, numbered, and a caret under the column. */
export function excerpt(lines: readonly string[], line: number, column: number): string {
  const width = String(line).length;
  const rows: string[] = [];
  for (const n of [line - 1, line]) {
    const text = lines[n - 1];
    if (n >= 1 && text !== undefined) rows.push(`  ${String(n).padStart(width)} | ${text}`);
  }
  if (rows.length === 0) return '';
  rows.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  return rows.join('\n');
}

function rangeStart(node: unknown): number | undefined {
  return yaml().isNode(node) && node.range ? node.range[0] : undefined;
}
