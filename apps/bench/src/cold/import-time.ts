/**
 * Cold tier, import: whole-process time of `import 'crystallize'` over a bare `node -e 0`
 * (and, with `--python`, of `import crystallize` over a bare `python3 -c pass`).
 */
import { fileURLToPath } from 'node:url';
import { line, type BenchContext, type Summary, type Workload } from '../harness.js';
import { runFresh } from './fresh-process.js';
import { pythonParams, runPython } from './python-anchor.js';
import { bareNode, barePython, over, scaled, series, vsPython } from './samples.js';

const IMPORT_ONLY = fileURLToPath(new URL('./import-crystallize.js', import.meta.url));

/** `whole` less the bare interpreter's median: what the import adds to a process. */
const over_bare = (whole: Summary, bare: Summary): Summary => scaled(whole, (x) => x - bare.median);

export const importTime: Workload = {
  id: 'IMPORT',
  tier: 'cold',
  description: "import 'crystallize' over a bare node -e 0, fresh processes",
  async run(ctx: BenchContext): Promise<void> {
    const bare = bareNode(ctx);
    runFresh(process.execPath, [IMPORT_ONLY], { report: false }); // page cache
    const whole = over(
      series(ctx.processes, () => runFresh(process.execPath, [IMPORT_ONLY], { report: false })),
      'wall',
    );
    const ours = over_bare(whole, bare);
    ctx.emit(
      line('IMPORT', 'import_over_bare_ms', 'ms', ours, bare, {
        whole_process_ms_median: Number(whole.median.toFixed(1)),
        baseline: 'bare node -e 0, whole process',
        target_ms: 40,
      }),
    );
    const anchor = ctx.python;
    const pyBare = barePython(ctx);
    if (!anchor || !pyBare) return;
    const pyWhole = over(
      series(ctx.processes, () => runPython(anchor, ['-c', 'import crystallize'])),
      'wall',
    );
    const python = over_bare(pyWhole, pyBare);
    ctx.emit(
      line('IMPORT', 'import_over_bare_ms', 'ms', python, pyBare, {
        ...pythonParams(anchor),
        whole_process_ms_median: Number(pyWhole.median.toFixed(1)),
        baseline: 'bare python3 -c pass, whole process',
      }),
    );
    ctx.emit(vsPython('IMPORT', 'import_over_bare_ms', ours, python, 'lower'));
  },
};
