import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { didYouMean, findExperimentFolders, readFolderInfo } from '@crystallize/config';
import type { Project } from '../project.js';
import { UsageError } from '../usage-error.js';

const STEPS = `import { PipelineStep, Step, type FrozenContext } from 'crystallize';

/**
 * A step: one method marked @PipelineStep() gets the data and the context. Record metrics with
 * ctx.metrics.add(name, value); treatments change context values (here 'scale').
 */
export class Summarize extends Step<unknown, unknown> {
  @PipelineStep()
  run(data: unknown, ctx: FrozenContext): unknown {
    const values = (Array.isArray(data) ? data : [data]).filter((x): x is number => typeof x === 'number');
    const scale = Number(ctx.get('scale', 1));
    ctx.metrics.add('count', values.length);
    ctx.metrics.add('total', values.reduce((a, b) => a + b, 0) * scale);
    return data;
  }
}
`;

const DATASOURCES = `import type { FrozenContext } from 'crystallize';

/** A data source: returns one replicate's input. ctx.rng is seeded per replicate. */
export function numbers(ctx: FrozenContext): number[] {
  return Array.from({ length: 10 }, () => ctx.rng.normal());
}
`;

function config(name: string, from: string | undefined): string {
  const lines = [
    `name: ${name}`,
    `description: ${from ? `Reads ${from}` : 'A new experiment'}`,
    'replicates: 5',
    `datasource: ${from ? JSON.stringify(from) : 'numbers'}`,
    'steps:',
    '  - Summarize',
    'treatments:',
    '  doubled: { scale: 2 }',
  ];
  if (!from) {
    lines.push(
      'hypotheses:',
      '  - name: total_changes',
      '    verifier: welchTTest',
      '    metrics: total',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `crystallize new <name> [--from up#output]`: a folder that runs as created. */
export async function newCommand(
  p: Project,
  name: string,
  flags: { from?: string },
): Promise<number> {
  if (!/^[\w.-]+$/.test(name))
    throw new UsageError(
      `'${name}' cannot name an experiment folder: use letters, digits, '_', '-' or '.'.`,
    );
  const folder = join(p.experimentsDir, name);
  if (existsSync(folder)) throw new UsageError(`${folder} already exists; pick another name.`);
  if (flags.from !== undefined) {
    const [up = '', output = ''] = flags.from.split('#');
    const folders = findExperimentFolders(p.experimentsDir);
    const upFolder = folders.find((f) => basename(f) === up);
    if (!upFolder) {
      const names = folders.map((f) => basename(f));
      throw new UsageError(
        `--from ${flags.from}: no experiment '${up}' in ${p.experimentsDir}.${didYouMean(up, names)} Experiments: ${names.join(', ') || '(none)'}.`,
      );
    }
    const outputs = readFolderInfo(upFolder).outputs;
    if (!outputs.includes(output)) {
      throw new UsageError(
        `--from ${flags.from}: '${up}' has no output '${output}'.${didYouMean(output, outputs)} Its outputs: ${outputs.join(', ') || '(none: declare one under outputs: in its config.yaml)'}.`,
      );
    }
  }
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'config.yaml'), config(name, flags.from));
  writeFileSync(join(folder, 'steps.ts'), STEPS);
  if (!flags.from) writeFileSync(join(folder, 'datasources.ts'), DATASOURCES);
  process.stdout.write(`created ${folder}\nrun it: crystallize run ${name}\n`);
  return 0;
}
