// Every package's tests run under ts-jest in ESM mode (the packages are ESM because tinypool is).
// The step fixtures under packages/core/test/decorators run twice: once compiled with
// experimentalDecorators + emitDecoratorMetadata, once with standard TC39 decorators.
//
// Three tiers (scripts/test-tiers.cjs says which file is which): `unit` needs no build and starts
// no process or worker; `integration` builds, spawns node, starts workers or runs apps/* end to
// end; `consumer` packs the packages and installs them with npm into projects outside the
// workspace (consumer/test).
// `npm test` runs every project in one jest invocation; `test:unit` / `test:integration` select
// projects by name.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tiers from './scripts/test-tiers.cjs';

const root = dirname(fileURLToPath(import.meta.url))
  .split('\\')
  .join('/');
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Tier patterns are relative (`^packages/...`); jest matches absolute paths.
const absolute = (re) => `^${escape(root)}/${re.source.replace(/^\^/, '')}`;
const integrationPaths = tiers.INTEGRATION.map(absolute);
const consumerPaths = tiers.CONSUMER.map(absolute);

const moduleNameMapper = {
  '^crystallize$': '<rootDir>/packages/crystallize/src/index.ts',
  '^crystallize/testing$': '<rootDir>/packages/crystallize/src/testing/index.ts',
  '^@crystallize/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  '^@crystallize/([a-z-]+)/internal$': '<rootDir>/packages/$1/src/internal.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

function project(displayName, decorators, files) {
  return {
    displayName,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper,
    ...files,
    transform: {
      '^.+\\.ts$': [
        'ts-jest',
        {
          useESM: true,
          tsconfig: {
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            isolatedModules: true,
            useDefineForClassFields: true,
            esModuleInterop: true,
            sourceMap: true,
            ...(decorators === 'legacy'
              ? { experimentalDecorators: true, emitDecoratorMetadata: true }
              : { experimentalDecorators: false, emitDecoratorMetadata: false }),
          },
        },
      ],
    },
  };
}

export default {
  // v8 coverage leaves Function.prototype.toString() untouched, so code fingerprints hold.
  coverageProvider: 'v8',
  reporters: ['default', '<rootDir>/scripts/summary-reporter.cjs'],
  projects: [
    project('unit:legacy-decorators', 'legacy', {
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...integrationPaths],
    }),
    project('unit:tc39-decorators', 'tc39', {
      testMatch: ['<rootDir>/packages/core/test/decorators/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...integrationPaths],
    }),
    project('integration:legacy-decorators', 'legacy', {
      testRegex: integrationPaths,
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    }),
    // Projects outside the workspace installing the packed tarballs (consumer/test).
    project('consumer', 'legacy', {
      testRegex: consumerPaths,
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/fixtures/'],
    }),
  ],
};
