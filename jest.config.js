// Every package's tests run under ts-jest in ESM mode (the packages are ESM because tinypool is).
// The step fixtures under packages/core/test/decorators run twice: once compiled with
// experimentalDecorators + emitDecoratorMetadata, once with standard TC39 decorators.

const moduleNameMapper = {
  '^crystallize$': '<rootDir>/packages/crystallize/src/index.ts',
  '^@crystallize/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  '^@crystallize/([a-z-]+)/internal$': '<rootDir>/packages/$1/src/internal.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

function project(displayName, decorators, testMatch) {
  return {
    displayName,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper,
    testMatch,
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
    project('legacy-decorators', 'legacy', [
      '<rootDir>/packages/*/test/**/*.test.ts',
      '<rootDir>/apps/*/test/**/*.test.ts',
    ]),
    project('tc39-decorators', 'tc39', ['<rootDir>/packages/core/test/decorators/**/*.test.ts']),
  ],
};
