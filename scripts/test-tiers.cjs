// Which test files are in the integration tier. jest.config.js builds its projects from this list
// and scripts/check-test-tiers.mjs (run by `pnpm lint`) checks that no unit-tier file starts a
// process or a worker, loads a build (`dist/`), or reads the clock.
//
// Integration: every test of apps/* (the examples run end to end, the way users run them), any
// `*.integration.test.ts`, and the existing files below, which spawn `node`, build the workspace,
// start worker threads or load `dist/`. New files that do so are named `*.integration.test.ts`;
// the listed ones get split that way when the orchestrator restructure lands.
// Paths are relative to the repository root, with `/` separators.
const INTEGRATION = [
  /^apps\/[^/]+\/test\/.*\.test\.ts$/,
  /^packages\/[^/]+\/test\/.*\.integration\.test\.ts$/,
  /^scripts\/test\/.*\.test\.ts$/, // the repo's tooling scripts, run as child processes
  /^packages\/cache\/test\/concurrency\.test\.ts$/, // worker threads on the built cache
  /^packages\/core\/test\/fingerprint\/code-fingerprint\.test\.ts$/, // spawns node on dist/
  /^packages\/orchestrator\/test\/determinism\.test\.ts$/, // builds, then spawns node
  /^packages\/orchestrator\/test\/parallel\.test\.ts$/, // tinypool worker threads
  /^packages\/orchestrator\/test\/progress\.test\.ts$/, // spawns node (a TTY-less child)
  /^packages\/crystallize\/test\/bundle\.test\.ts$/, // spawns node on the built bundles
];

// Consumer: projects outside the workspace that install the packed tarballs with npm
// (consumer/test, fixtures in consumer/fixtures). Its own jest project, `consumer`; not unit.
const CONSUMER = [/^consumer\/test\/.*\.test\.ts$/];

/** True when `relativePath` (from the repository root) belongs to the integration tier. */
function isIntegration(relativePath) {
  const path = relativePath.split('\\').join('/');
  return INTEGRATION.some((re) => re.test(path)) || CONSUMER.some((re) => re.test(path));
}

module.exports = { INTEGRATION, CONSUMER, isIntegration };
