/**
 * `quantlab sweep`, `quantlab optimize`, `quantlab study list|show`: parameter studies from the command line.
 * Both study commands take the same backtest options as `quantlab backtest`; `--json` prints one object with
 * at least `combos` (sweep) or `trials` (optimize), `best` (params and objective value) and `seconds`.
 */
import type { Command } from 'commander';
import { QuantlabError } from '../core';
import { openStorage, SAMPLER_NAMES, sortBest, type SamplerName, type StudySummary, type TrialRecord } from '../optimizer';
import { OBJECTIVE_NAMES, optimize, sweep, type ObjectiveName, type OptimizeResult, type ResultConstraints } from '../research';
import { getStrategy, loadStrategyFile, parseParamText, type ParamSpace } from '../strategy';
import { optimizeSummary, studyReport } from '../report';
import { loadBarsArg, numberOption } from './args';
import { parseGridText } from './grid';
import { addExecutionFlags, collect, executionOptions, inputBarsFlags, jsonText, readParams, type ExecutionFlags } from './strategy-flags';

/** Default storage of `optimize` and `study`: an SQLite file under experiments/. */
export const DEFAULT_STUDY_STORAGE = 'sqlite:experiments/studies.db';

interface CommonFlags extends ExecutionFlags {
  report?: string | boolean;
  data?: string;
  strategy?: string;
  strategyFile?: string;
  param: string[];
  timeframe?: string;
  objective?: string;
  jobs?: string;
  storage?: string;
  study?: string;
  seed?: string;
  json?: boolean;
  progress?: boolean;
  restart?: boolean;
  minTrades?: string;
  maxDrawdown?: string;
}

function intFlag(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= min)) throw new QuantlabError('BAD_ARGUMENT', `${name}: expected an integer >= ${min}, found '${text}'`);
  return v;
}

function objectivesFlag(text: string | undefined): ObjectiveName[] {
  const names = (text ?? 'sharpe').split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(OBJECTIVE_NAMES as readonly string[]).includes(n)) throw new QuantlabError('BAD_ARGUMENT', `--objective: expected one of ${OBJECTIVE_NAMES.join(', ')}, found '${n}'`);
  }
  return names as ObjectiveName[];
}

/** Writes the study report when --report was given; returns its path. */
function writeReport(r: OptimizeResult, f: CommonFlags): string | undefined {
  return f.report ? studyReport(r, typeof f.report === 'string' ? { path: f.report } : {}) : undefined;
}

function withCommon(c: Command): Command {
  return addExecutionFlags(c)
    .option('-d, --data <fileOrSymbol>', 'CSV/JSON/Parquet file, or a dataset symbol such as BTCUSDT')
    .option('-s, --strategy <name>', 'registered strategy name (see quantlab backtest --list)')
    .option('--strategy-file <file>', 'register the strategies exported by your own file first (also in worker threads)')
    .option('-p, --param <name=value>', 'hold a parameter fixed (repeatable)', collect, [])
    .option('-t, --timeframe <tf>', 'timeframe of the dataset for a SYMBOL (default 1h)')
    .option('--objective <name[,name]>', `objective(s): ${OBJECTIVE_NAMES.join(', ')} (default sharpe)`)
    .option('-j, --jobs <n>', 'worker threads (default 1)')
    .option('--study <name>', 'study name (an existing study of that name is resumed; a study defined differently is refused)')
    .option('--restart', 'delete the stored study of that name (every trial) and start it over')
    .option('--min-trades <n>', 'constraint: a trial with fewer trades is infeasible (recorded, never the best)')
    .option('--max-drawdown <fraction>', 'constraint: a trial whose max drawdown exceeds it (0.4 = 40%) is infeasible')
    .option('--seed <n>', 'seed of the samplers (same seed, same trials)')
    .option('--json', 'print one JSON object')
    .option('--no-progress', 'no progress bar')
    .option('--report [file]', 'write a self-contained HTML study report (default experiments/reports/study-<name>.html)');
}

async function prepare(f: CommonFlags, command: string) {
  if (f.strategyFile) await loadStrategyFile(f.strategyFile);
  if (!f.data) throw new QuantlabError('BAD_ARGUMENT', `${command}: --data FILE|SYMBOL is required`);
  if (!f.strategy) throw new QuantlabError('BAD_ARGUMENT', `${command}: --strategy NAME is required (see quantlab backtest --list)`);
  const strategy = getStrategy(f.strategy);
  const bars = await inputBarsFlags(strategy, (await loadBarsArg(f.data, { timeframe: f.timeframe })).bars, f);
  return {
    strategy,
    bars,
    fixed: readParams(strategy.params as ParamSpace, f.param, strategy.name),
    objectives: objectivesFlag(f.objective),
    jobs: intFlag('--jobs', f.jobs, 1),
    seed: f.seed === undefined ? undefined : numberOption('--seed', f.seed),
    backtest: executionOptions(f),
    constraints: constraintFlags(f),
    restart: f.restart === true,
    restartHint: '--restart',
  };
}

function constraintFlags(f: CommonFlags): ResultConstraints | undefined {
  const c: ResultConstraints = {};
  if (f.minTrades !== undefined) c.minTrades = intFlag('--min-trades', f.minTrades, 0)!;
  if (f.maxDrawdown !== undefined) {
    const v = Number(f.maxDrawdown);
    if (!(f.maxDrawdown.trim() !== '' && v >= 0 && Number.isFinite(v))) throw new QuantlabError('BAD_ARGUMENT', `--max-drawdown: expected a fraction >= 0 (0.4 = 40%), found '${f.maxDrawdown}'`);
    c.maxDrawdown = v;
  }
  return Object.keys(c).length ? c : undefined;
}

function bestJson(r: OptimizeResult) {
  if (r.best) return { number: r.best.number, params: r.best.params, value: r.best.value, objective: r.objectives[0], stats: r.best.stats };
  return null;
}

function overfittingJson(r: OptimizeResult) {
  const o = r.overfitting;
  if (!o) return null;
  return {
    trials: o.trials,
    sharpe: o.sharpe,
    deflatedSharpe: o.deflated.deflatedSharpe,
    probabilisticSharpe: o.deflated.probabilisticSharpe,
    pbo: o.pbo ? o.pbo.pbo : null,
    pboConfigurations: o.pbo?.configurations ?? null,
    stability: o.stability,
  };
}

/** Adds `sweep`, `optimize` and `study list|show` to the program. */
export function registerOptimizeCommands(program: Command): void {
  withCommon(
    program
      .command('sweep')
      .description('exhaustive grid over strategy parameters (e.g. --grid fast=2:50:1 --grid slow=10:200:2)')
      .option('-g, --grid <name=spec>', 'parameter values: low:high[:step] or a,b,c (repeatable)', collect, [])
      .option('--storage <url>', "where the study lives: 'memory:' (default), 'sqlite:PATH', 'postgres://…'"),
  ).action(async (f: CommonFlags & { grid: string[] }) => {
    const p = await prepare(f, 'sweep');
    if (!f.grid.length) throw new QuantlabError('BAD_ARGUMENT', 'sweep: at least one --grid name=low:high[:step] is required');
    const grid: Record<string, (number | string)[]> = {};
    for (const g of f.grid) {
      const i = g.indexOf('=');
      if (i <= 0) throw new QuantlabError('BAD_ARGUMENT', `--grid: expected name=low:high[:step], found '${g}'`);
      const k = g.slice(0, i).trim();
      const spec = (p.strategy.params as ParamSpace)[k];
      if (!spec) throw new QuantlabError('BAD_ARGUMENT', `--grid: strategy '${p.strategy.name}' has no parameter '${k}'; it has ${Object.keys(p.strategy.params).join(', ')}`);
      const values = spec.kind === 'choice' ? parseGridText(k, g.slice(i + 1)) : parseGridText(k, g.slice(i + 1), spec);
      grid[k] = spec.kind === 'choice' ? (values as (number | string)[]).map((v) => parseParamText(spec, String(v)) as number | string) : (values as (number | string)[]);
    }
    const r = await sweep(p.strategy, p.bars, {
      grid,
      fixed: p.fixed,
      objective: p.objectives,
      jobs: p.jobs,
      seed: p.seed,
      backtest: p.backtest,
      storage: f.storage,
      name: f.study,
      constraints: p.constraints,
      restart: p.restart,
      restartHint: p.restartHint,
      progress: f.progress !== false,
    });
    const combos = r.trials.length;
    const report = writeReport(r, f);
    if (f.json) {
      return console.log(
        jsonText({ study: r.studyName, storage: r.storage, strategy: r.strategy, combos, objective: r.objectives, best: bestJson(r), pareto: r.best ? undefined : r.bestTrials.map((t) => ({ number: t.number, params: t.params, values: t.values })), seconds: r.seconds, ...(report ? { report } : {}) }),
      );
    }
    if (report) console.log(`report: ${report}`);
    console.log(`${r.strategy}: ${combos} combinations in ${r.seconds.toFixed(2)} s (${(combos / r.seconds).toFixed(0)}/s)`);
    console.log(optimizeSummary(r));
    printTop(r.trials, r.directions[0]!, 10);
  });

  withCommon(
    program
      .command('optimize')
      .description('optimise strategy parameters with a sampler (TPE by default); studies persist and resume by name')
      .option('--sampler <name>', `${SAMPLER_NAMES.join(', ')} (default tpe; nsga2 for several objectives)`)
      .option('-n, --trials <n>', 'finished trials the study should hold (default 100)')
      .option('--pruner <name>', "'none', 'median' or 'successive-halving' (with --folds)")
      .option('--folds <k>', 'score each trial on k consecutive folds, reporting each (for pruners)')
      .option('--storage <url>', `where the study lives (default ${DEFAULT_STUDY_STORAGE}); 'memory:', 'sqlite:PATH', 'postgres://…'`)
      .option('--no-overfitting', 'skip the overfitting statistics'),
  ).action(async (f: CommonFlags & { sampler?: string; trials?: string; pruner?: string; folds?: string; overfitting?: boolean }) => {
    const p = await prepare(f, 'optimize');
    if (f.sampler !== undefined && !(SAMPLER_NAMES as readonly string[]).includes(f.sampler)) {
      throw new QuantlabError('BAD_ARGUMENT', `--sampler: expected one of ${SAMPLER_NAMES.join(', ')}, found '${f.sampler}'`);
    }
    const r = await optimize(p.strategy, p.bars, {
      sampler: f.sampler as SamplerName | undefined,
      trials: intFlag('--trials', f.trials, 1),
      objective: p.objectives,
      jobs: p.jobs,
      seed: p.seed,
      storage: f.storage ?? DEFAULT_STUDY_STORAGE,
      name: f.study,
      fixed: p.fixed,
      backtest: p.backtest,
      pruner: f.pruner as never,
      folds: intFlag('--folds', f.folds, 2),
      strategyFile: f.strategyFile,
      overfitting: f.overfitting !== false,
      constraints: p.constraints,
      restart: p.restart,
      restartHint: p.restartHint,
      progress: f.progress !== false,
    });
    const report = writeReport(r, f);
    if (report && !f.json) console.log(`report: ${report}`);
    if (f.json) {
      return console.log(
        jsonText({
          ...(report ? { report } : {}),
          study: r.studyName,
          storage: r.storage,
          strategy: r.strategy,
          sampler: r.sampler,
          trials: r.trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length,
          ran: r.ran,
          objective: r.objectives,
          best: bestJson(r),
          pareto: r.best ? undefined : r.bestTrials.map((t) => ({ number: t.number, params: t.params, values: t.values })),
          overfitting: overfittingJson(r),
          seconds: r.seconds,
        }),
      );
    }
    console.log(optimizeSummary(r));
    printTop(r.trials, r.directions[0]!, 10);
  });

  const study = program.command('study').description('list and inspect stored studies');
  study
    .command('list')
    .description('studies in a storage, with their trial counts and best values')
    .option('--storage <url>', `default ${DEFAULT_STUDY_STORAGE}`)
    .option('--json', 'print JSON')
    .action(async (f: { storage?: string; json?: boolean }) => {
      const s = openStorage(f.storage ?? DEFAULT_STUDY_STORAGE);
      try {
        const list = await s.listStudies();
        if (f.json) return console.log(jsonText(list.map(summaryJson)));
        if (!list.length) return console.log(`no studies in ${s.url}`);
        console.log(`${'name'.padEnd(32)} ${'direction'.padEnd(20)} ${'complete'.padStart(8)} ${'pruned'.padStart(7)} ${'failed'.padStart(7)} ${'running'.padStart(8)}  best`);
        for (const x of list) {
          console.log(
            `${x.name.padEnd(32)} ${x.directions.join(',').padEnd(20)} ${String(x.counts.complete).padStart(8)} ${String(x.counts.pruned).padStart(7)} ${String(x.counts.fail).padStart(7)} ${String(x.counts.running).padStart(8)}  ${Number.isFinite(x.bestValue) ? x.bestValue.toPrecision(6) : '-'}`,
          );
        }
      } finally {
        await s.close();
      }
    });
  study
    .command('show <name>')
    .description('one study: what it ran on, its best trials')
    .option('--storage <url>', `default ${DEFAULT_STUDY_STORAGE}`)
    .option('--top <n>', 'trials to list (default 10)')
    .option('--json', 'print JSON (every trial)')
    .action(async (name: string, f: { storage?: string; top?: string; json?: boolean }) => {
      const s = openStorage(f.storage ?? DEFAULT_STUDY_STORAGE);
      try {
        const rec = await s.getStudy(name);
        if (!rec) {
          const names = (await s.listStudies()).map((x) => x.name);
          throw new QuantlabError('NOT_FOUND', `study show: no study named '${name}' in ${s.url}; there are: ${names.join(', ') || '(none)'}`);
        }
        const trials = await s.getTrials(name);
        const best = rec.directions.length === 1 ? sortBest(trials.filter((t) => t.state === 'complete'), rec.directions[0]!)[0] ?? null : null;
        if (f.json) return console.log(jsonText({ ...rec, trials: trials.length, best: best ? { number: best.number, params: best.params, value: best.values![0] } : null, records: trials }));
        console.log(`study ${rec.name} (${s.url}), created ${new Date(rec.created).toISOString()}, ${rec.directions.join(', ')}`);
        for (const [k, v] of Object.entries(rec.meta)) {
          if (k === 'identity' && v && typeof v === 'object') {
            console.log('  identity:');
            for (const [f2, x] of Object.entries(v as Record<string, unknown>)) console.log(`    ${f2}: ${JSON.stringify(x)}`);
          } else console.log(`  ${k}: ${JSON.stringify(v)}`);
        }
        const counts: Record<string, number> = {};
        for (const t of trials) {
          const k = t.infeasible ? 'infeasible' : t.state;
          counts[k] = (counts[k] ?? 0) + 1;
        }
        console.log(`  trials: ${trials.length} (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})`);
        if (best) console.log(`  best: #${best.number} ${JSON.stringify(best.params)} → ${best.values![0]}`);
        printTop(trials, rec.directions[0]!, intFlag('--top', f.top, 1) ?? 10);
      } finally {
        await s.close();
      }
    });
}

const summaryJson = (x: StudySummary) => ({ name: x.name, directions: x.directions, counts: x.counts, bestValue: x.bestValue, created: new Date(x.created).toISOString(), meta: x.meta });

function printTop(trials: readonly TrialRecord[], direction: 'minimize' | 'maximize', n: number): void {
  const top = sortBest(trials.filter((t) => t.state === 'complete'), direction).slice(0, n);
  if (!top.length) return;
  console.log('');
  console.log(`top ${top.length}:`);
  for (const t of top) console.log(`  #${String(t.number).padEnd(6)} ${t.values!.map((v) => v.toPrecision(6)).join(', ').padEnd(14)} ${JSON.stringify(t.params)}`);
}
