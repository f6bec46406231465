import {
  ValidationError,
  toDataSource,
  type DataSource,
  type DataSourceFn,
} from '@crystallize/core';

const registry = new Map<string, DataSource>();

/** Names a data source globally so configs and the CLI can refer to it. */
export function registerDatasource(name: string, source: DataSource | DataSourceFn): DataSource {
  if (registry.has(name)) throw new ValidationError(`Data source '${name}' is already registered.`);
  const ds = toDataSource(source);
  registry.set(name, ds);
  return ds;
}

export function getDatasource(name: string): DataSource {
  const ds = registry.get(name);
  if (!ds) {
    throw new ValidationError(
      `No data source named '${name}'. Registered: ${[...registry.keys()].join(', ') || '(none)'}.`,
    );
  }
  return ds;
}

export function listDatasources(): string[] {
  return [...registry.keys()].sort();
}

/**
 * A data source from a function; `{ register: true }` (or a name) also registers it.
 * @example const numbers = dataSource(function numbers() { return [1, 2, 3]; }, { register: true });
 */
export function dataSource<T>(
  fn: DataSourceFn<T>,
  options: { register?: boolean | string } = {},
): DataSource<T> {
  const ds = toDataSource(fn);
  if (options.register)
    registerDatasource(
      typeof options.register === 'string' ? options.register : fn.name || ds.name,
      ds,
    );
  return ds;
}
