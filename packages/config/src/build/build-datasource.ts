import { DataSource, ExperimentInput, toDataSource, type DataSourceFn } from '@crystallize/core';
import { getDatasource, listDatasources } from '@crystallize/orchestrator';
import type { KeyPath } from '../internal/yaml-source.js';
import { lookup, type BuildScope } from './lookup.js';

/** Resolves `up#output` to the upstream's output as a data source (or records why not). */
export type UpstreamResolver = (
  experiment: string,
  output: string,
  path: KeyPath,
) => Promise<DataSource | undefined>;

function isDataSourceLike(v: unknown): v is DataSource | ((...a: never[]) => unknown) {
  return v instanceof DataSource || typeof v === 'function';
}

function registered(): Record<string, DataSource> {
  return Object.fromEntries(listDatasources().map((n) => [n, getDatasource(n)]));
}

async function one(
  scope: BuildScope,
  name: string,
  path: KeyPath,
  upstream: UpstreamResolver,
): Promise<DataSource | undefined> {
  const hash = name.indexOf('#');
  if (hash >= 0) return upstream(name.slice(0, hash), name.slice(hash + 1), path);
  const found = lookup(scope, name, path, {
    kind: 'datasources',
    what: 'data source',
    expected: 'a (ctx) => data function, a DataSource subclass or instance, or "upstream#output"',
    accept: isDataSourceLike,
    builtins: registered(),
    builtinsLabel: 'registered',
  });
  if (found === undefined) return undefined;
  if (found instanceof DataSource) return found;
  if (found.prototype instanceof DataSource) {
    try {
      return new (found as unknown as new () => DataSource)();
    } catch (e) {
      scope.issues.push(
        scope.source.issue(
          path,
          `data source class '${name}' cannot be built without arguments: ${(e as Error).message}`,
        ),
      );
      return undefined;
    }
  }
  return toDataSource(found as unknown as DataSourceFn);
}

/** `datasource:` — one name, `up#output`, or `{ alias: name, ... }` (an ExperimentInput). */
export async function buildDatasource(
  scope: BuildScope,
  spec: string | Readonly<Record<string, string>>,
  upstream: UpstreamResolver,
): Promise<DataSource | undefined> {
  if (typeof spec === 'string') return one(scope, spec, ['datasource'], upstream);
  const entries = Object.entries(spec);
  if (entries.length === 0) {
    scope.issues.push(
      scope.source.issue(['datasource'], 'expected at least one named input { alias: name }'),
    );
    return undefined;
  }
  const inputs: Record<string, DataSource> = {};
  let ok = true;
  for (const [alias, name] of entries) {
    const ds = await one(scope, name, ['datasource', alias], upstream);
    if (ds) inputs[alias] = ds;
    else ok = false;
  }
  if (!ok) return undefined;
  try {
    return new ExperimentInput(inputs);
  } catch (e) {
    scope.issues.push(scope.source.issue(['datasource'], (e as Error).message));
    return undefined;
  }
}
