import { extname } from 'node:path';
import { CrystallizeError } from '@crystallize/core';

/**
 * How an artifact file was written, so that the default loader can read it back as it was:
 * `text` (a string, stored as UTF-8), `bytes` (a Uint8Array or Buffer, stored as is) or `json`
 * (any other value, stored as JSON). Recorded per file in `_manifest.json` (`contentTypes`).
 */
export type ArtifactContentType = 'text' | 'bytes' | 'json';

/** What a loader is told about the file it reads. */
export interface ArtifactFileInfo {
  /** How the file was written; undefined for runs stored before content types were recorded. */
  readonly contentType: ArtifactContentType | undefined;
  /** The file's path. */
  readonly path: string;
}

/** The content type default writing gives `data`. */
export function contentTypeOf(data: unknown): ArtifactContentType {
  if (typeof data === 'string') return 'text';
  if (data instanceof Uint8Array) return 'bytes';
  return 'json';
}

/** File contents for `data`: strings and bytes as they are, anything else as JSON. */
export function encodeArtifact(name: string, data: unknown): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  const json = JSON.stringify(data, null, 2) as string | undefined;
  if (json === undefined) {
    throw new CrystallizeError(
      `Artifact '${name}': ${typeof data} cannot be stored as JSON. Write a string, bytes, or a JSON-serializable value.`,
    );
  }
  return json;
}

/**
 * The default loader: mirrors default writing. Text comes back as a string, bytes as a Buffer,
 * and only what was written as JSON is parsed. Files of runs stored before content types were
 * recorded: `.json` files are parsed, others read as text.
 */
export function defaultArtifactLoader(bytes: Buffer, info?: ArtifactFileInfo): unknown {
  const type =
    info?.contentType ?? (info && extname(info.path).toLowerCase() !== '.json' ? 'text' : 'json');
  if (type === 'bytes') return bytes;
  const text = bytes.toString('utf8');
  return type === 'json' ? (JSON.parse(text) as unknown) : text;
}
