// Pins the jest configuration that runs the step fixtures under both decorator dialects, so the
// two projects cannot drift into compiling them the same way.
interface TsJestTransform {
  0: string;
  1: { tsconfig: { experimentalDecorators?: boolean; emitDecoratorMetadata?: boolean } };
}
interface JestProject {
  displayName: string;
  testMatch?: string[];
  transform: Record<string, TsJestTransform>;
}

async function projects(): Promise<JestProject[]> {
  // A non-literal specifier: the config is plain JS with no type declarations.
  const specifier = '../../../jest.config.js';
  const config = (await import(specifier)) as {
    default: { projects: JestProject[] };
  };
  return config.default.projects;
}

function tsconfigOf(project: JestProject) {
  const [transform] = Object.values(project.transform);
  return transform![1].tsconfig;
}

it('runs packages/core/test/decorators under both legacy and standard decorators', async () => {
  const all = await projects();
  const decoratorTests = '<rootDir>/packages/core/test/decorators/**/*.test.ts';
  const covering = all.filter((p) =>
    (p.testMatch ?? []).some(
      (m) => m === decoratorTests || m === '<rootDir>/packages/*/test/**/*.test.ts',
    ),
  );
  const dialects = covering.map((p) => ({
    name: p.displayName,
    legacy: tsconfigOf(p).experimentalDecorators === true,
    metadata: tsconfigOf(p).emitDecoratorMetadata === true,
  }));
  expect(dialects).toEqual(
    expect.arrayContaining([
      { name: 'unit:legacy-decorators', legacy: true, metadata: true },
      { name: 'unit:tc39-decorators', legacy: false, metadata: false },
    ]),
  );
});
