// Loads a folder experiment with the built @crystallize/config, in its own process, and prints
// JSON describing it (or its ConfigError). Usage: node load-folder.mjs <folder> [describe|run|graph]
import { ValidationError } from '@crystallize/core';
import { ConfigError, loadExperiment, loadExperimentGraph } from '../../dist/index.js';

const [folder, mode = 'describe', extra = '{}'] = process.argv.slice(2);
const options = { dataDir: 'data', logLevel: 'silent', ...JSON.parse(extra) };
const plugin = (exp, name) => exp.plugins.find((p) => p.constructor.name === name);

try {
  if (mode === 'graph') {
    const graph = await loadExperimentGraph(folder, options);
    const results = await graph.run();
    console.log(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(results).map(([n, r]) => [
            n,
            { metrics: r.metrics, errors: Object.keys(r.errors) },
          ]),
        ),
      ),
    );
  } else {
    const exp = await loadExperiment(folder, options);
    const description = {
      name: exp.name,
      replicates: exp.replicates,
      steps: exp.pipeline.steps.map((s) => ({
        name: s.name,
        params: Object.fromEntries(
          Object.entries(s.params).map(([k, v]) => [
            k,
            v?.constructor?.name === 'Artifact' ? `Artifact(${v.name})` : v,
          ]),
        ),
      })),
      treatments: exp.treatments.map((t) => ({ name: t.name, values: t.values })),
      hypotheses: exp.hypotheses.map((h) => ({
        name: h.name,
        verifier: h.verifier.verifierName,
        params: h.verifier.params,
        groups: h.metricGroups,
        adjust: h.adjustment?.method,
      })),
      outputs: exp.outputs.map((o) => o.name),
      datasource: exp.datasource.constructor.name,
      inputs: exp.datasource.inputs ? Object.keys(exp.datasource.inputs) : undefined,
      seed: plugin(exp, 'SeedPlugin')?.seed,
      execution: exp.execution.constructor.name,
      workers: exp.execution.maxWorkers,
    };
    if (mode === 'run') {
      const r = await exp.run();
      description.metrics = r.metrics;
      description.errors = Object.keys(r.errors);
      description.dir = r.dir;
      description.artifacts = r.artifacts;
    }
    console.log(JSON.stringify(description));
  }
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.log(
    JSON.stringify({
      configError: {
        file: e.file,
        line: e.line,
        column: e.column,
        message: e.message,
        issues: e.issues,
        isValidationError: e instanceof ValidationError,
      },
    }),
  );
  process.exitCode = 2;
}
