import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ValidationError } from '@crystallize/core';
import { ExperimentGraphError } from '@crystallize/orchestrator';
import { ReportError } from '@crystallize/report';
import { cleanCommand } from './commands/clean.command.js';
import { graphCommand } from './commands/graph.command.js';
import { initCommand } from './commands/init.command.js';
import { listCommand } from './commands/list.command.js';
import { newCommand } from './commands/new.command.js';
import { reportCommand, type ReportFlags } from './commands/report.command.js';
import { runCommand, type RunFlags } from './commands/run.command.js';
import { showCommand } from './commands/show.command.js';
import { watchCommand } from './commands/watch.js';
import { workerCommand, type WorkerFlags } from './commands/worker.command.js';
import { project } from './project.js';
import { UsageError } from './usage-error.js';

function int(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number >= ${min}, got '${v}'.`);
    return n;
  };
}

/** Exit codes: 0 success, 1 something in the run failed, 2 bad usage or configuration. */
export function createProgram(setExit: (code: number) => void): Command {
  const program = new Command('crystallize')
    .description(
      'Run, inspect and chain reproducible experiments (folder experiments under <root>/experiments).',
    )
    .option('--root <dir>', 'project root (experiments/, data/, .cache/ live here)', '.')
    .showHelpAfterError('(crystallize --help lists the commands)')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    });
  const root = (): ReturnType<typeof project> => project(program.opts<{ root: string }>().root);

  program
    .command('list')
    .description('experiments found, grouped (cli.group), with load errors as file:line:col')
    .option('--json', 'machine-readable output')
    .option('--all', 'include hidden experiments (cli.hidden)')
    .action(async (flags: { json?: boolean; all?: boolean }) =>
      setExit(await listCommand(root(), flags)),
    );

  program
    .command('run')
    .description(
      'run an experiment (folder name or path, graph root, or module.ts#export) and print its summary',
    )
    .argument('<target>', 'folder name, folder path, graph root, or path/to/module.ts[#exportName]')
    .option('--replicates <n>', 'replicates per condition', int(1))
    .option('--treatments <names>', 'only these treatments (comma-separated)')
    .option('--resume', 'reuse conditions a previous (interrupted) run completed')
    .option('--no-cache', 'run cacheable steps without the step cache')
    .addOption(new Option('--serial', 'run replicates one after another').conflicts('workers'))
    .addOption(new Option('--workers <n>', 'run replicates in n worker threads').argParser(int(1)))
    .addOption(
      new Option(
        '--distributed <url>',
        'run replicates as jobs on Redis (redis://[user:password@]host[:port]), run by `crystallize worker` processes',
      ).conflicts(['serial', 'workers']),
    )
    .option('--seed <n>', 'master seed', int(0))
    .option('--json', 'print the result as JSON (nothing else on stdout)')
    .option(
      '--watch',
      'rerun when a file of the experiment changes (reusing cache and completed conditions)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level on stderr').choices([
        'silent',
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
      ]),
    )
    .action(async (target: string, flags: RunFlags) => {
      const p = root();
      setExit(
        flags.watch ? await watchCommand(p, target, flags) : await runCommand(p, target, flags),
      );
    });

  program
    .command('show')
    .description('stored results without re-running: metrics, hypotheses, errors, artifacts')
    .argument('<target>', 'folder name or path')
    .addOption(
      new Option('--version <n>', 'a stored version (default: the latest)')
        .argParser(int(0))
        .conflicts('allVersions'),
    )
    .option('--all-versions', 'every stored version')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'md'])
        .default('table'),
    )
    .action(
      async (
        target: string,
        flags: { version?: number; allVersions?: boolean; format: 'table' | 'json' | 'md' },
      ) => setExit(await showCommand(root(), target, flags)),
    );

  program
    .command('report')
    .description(
      'the HTML report of a stored run (one self-contained file); prints the path written',
    )
    .argument(
      '<target>',
      'folder name or path, graph root (one report per experiment), module.ts#export, or a stored run folder (data/<exp>[/v<N>])',
    )
    .option('-o, --output <file>', 'where to write it (default: <run dir>/report.html)')
    .option('--compare <vN>', 'show another stored version of the experiment side by side')
    .addOption(
      new Option('--version <n>', 'the stored version to report (default: the latest)').argParser(
        int(0),
      ),
    )
    .action(async (target: string, flags: ReportFlags) =>
      setExit(await reportCommand(root(), target, flags)),
    );

  program
    .command('graph')
    .description('the experiment graph and its execution order')
    .argument('[root]', 'folder of experiment folders (default: <root>/experiments)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'mermaid', 'dot'])
        .default('text'),
    )
    .action(async (dir: string | undefined, flags: { format: 'text' | 'mermaid' | 'dot' }) =>
      setExit(await graphCommand(root(), dir, flags)),
    );

  program
    .command('clean')
    .description(
      'remove cache entries no current step can hit and stored versions beyond retention',
    )
    .argument('[target]', 'only this experiment (default: all)')
    .option('--cache', 'only cache entries')
    .option('--runs', 'only stored runs')
    .option('--dry-run', 'list what would be removed, with sizes')
    .option('--yes', 'remove without asking')
    .action(
      async (
        target: string | undefined,
        flags: { cache?: boolean; runs?: boolean; dryRun?: boolean; yes?: boolean },
      ) => setExit(await cleanCommand(root(), target, flags)),
    );

  program
    .command('new')
    .description('a new experiment folder that runs as created')
    .argument('<name>', 'folder name under <root>/experiments')
    .option('--from <upstream#output>', "read another experiment's output")
    .action(async (name: string, flags: { from?: string }) =>
      setExit(await newCommand(root(), name, flags)),
    );

  program
    .command('init')
    .description(
      'a new project: package.json, tsconfig with decorators, one experiment, one jest test',
    )
    .argument('[dir]', 'a new or empty folder (default: --root)')
    .action(async (dir: string | undefined) =>
      setExit(await initCommand(dir ?? program.opts<{ root: string }>().root)),
    );

  program
    .command('worker')
    .description(
      'a worker for `run --distributed`: runs replicates from Redis for the project at --root, until Ctrl-C',
    )
    .requiredOption(
      '--redis <url>',
      'Redis: redis://[user:password@]host[:port][/db], rediss:// for TLS',
    )
    .option(
      '--concurrency <n>',
      'replicates at a time, each in a worker thread (default: all cores)',
      int(1),
    )
    .option(
      '--queue <name>',
      'the queue name (default crystallize); the submitter must use the same',
    )
    .option(
      '--preload <module...>',
      'modules (relative to --root) every worker thread imports before the first job, so it starts warm',
    )
    .addOption(
      new Option(
        '--lock-duration <ms>',
        "how long a job's lock lasts without renewal (default 30000)",
      )
        .argParser(int(1))
        .hideHelp(),
    )
    .addOption(
      new Option('--stalled-interval <ms>', 'how often stalled jobs are looked for (default 30000)')
        .argParser(int(1))
        .hideHelp(),
    )
    .addOption(
      new Option(
        '--max-stalled <n>',
        'how often a job may stall (its worker died) before it fails (default 1)',
      )
        .argParser(int(0))
        .hideHelp(),
    )
    .action(async (flags: WorkerFlags) => setExit(await workerCommand(root(), flags)));

  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = createProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; anything else is bad usage.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError || e instanceof ValidationError || e instanceof ReportError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    // @crystallize/distributed loads only for --distributed and worker, so it is known by name:
    // Redis unreachable is a configuration problem (the message names the URL, no password).
    if ((e as Error)?.name === 'RedisConnectionError') {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    if (e instanceof ExperimentGraphError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    process.stderr.write(`crystallize: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
