import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ensureDir, isoTime, QuantlabError, writeFileAtomic, type Bars } from '../core';
import { datasetPath, loadBars } from '../data';
import type { Stats } from '../metrics';
import { backtest, biasError, checkBias, getStrategy, inputsOf, strategyTargets, streamTargets, withInputs, type AnyStrategy, type BiasReport } from '../strategy';
import * as builtins from '../strategy/builtins';
import { checkConfig, DEFAULT_KEY_ENV, DEFAULT_RUNNER, DEFAULT_SECRET_ENV, simOptionsOf, type ExecutionOptions, type RiskLimits, type RunnerConfig, type RunnerSettings } from './config';
import { confirmationPhrase } from './confirm';
import { importModule } from './load-module';
import { paramsHash } from './order-ids';
import { promotedDir } from './promoted';
import { checkPromotedName } from './promoted-name';
import { runScript } from './run-template';
import type { OptimizeResult, StrategyWalkForward } from '../research';
import { checkSameData, findStudyDataset, shippedFileOf, handleEvidence, isOptimizeResult, isStudyHandle, isWalkForwardResult, noStudyData, optimizeEvidence, walkForwardEvidence, type SearchEvidence, type StudyLike } from './evidence';

export type { StudyLike } from './evidence';

/**
 * promote(): from a validated strategy in a notebook to a folder a runner can trade —
 * experiments/promoted/<name>/ with run.ts (imports the strategy, freezes the parameters), config.json
 * (exchange, symbol, timeframe, execution options, risk limits) and validation.json (backtest statistics,
 * overfitting statistics, date range, data hashes). Refuses a strategy whose bar-by-bar form (streaming
 * indicators + decide(), what the runner runs) disagrees with its vector form on the validation data, a
 * strategy that fails the bias check (checkBias: look-ahead, warm-up, three-form parity; the report goes into
 * validation.json and its warm-up sets the runner's startup history), and execution options the runner cannot honour.
 */

/** What a search returned, accepted as validation evidence as it is (a stored study: `readStoredStudy(...).evidence`). */
export type SearchResult = StudyLike | OptimizeResult | StrategyWalkForward | SearchEvidence;

/** Evidence of validation: the data it ran on and what the search tried. */
export interface ValidationInput {
  /** the validation bars (default: the bars the study searched, found among the shipped datasets). */
  bars?: Bars;
  /** the file the bars came from (hashed into the evidence). */
  dataFile?: string;
  /** the search whose best trial this is: a study, or what `optimize`, `sweep` or `walkForwardOptimize` returned. */
  study?: SearchResult;
  /** variants tried (default: the study's finished trials, else 1): the deflated Sharpe uses it. */
  trials?: number;
  /** overfitting figures computed elsewhere (PBO, walk-forward efficiency…), recorded as given. */
  overfitting?: Record<string, number | string>;
  notes?: string;
}

export interface PromoteOptions {
  /** unified symbol: 'BTC/USDT' (spot) or 'BTC/USDT:USDT' (USDT-M swap). */
  symbol: string;
  timeframe: string;
  /** ccxt exchange id (default 'binance'). */
  exchange?: string;
  /**
   * what the search returned (`ql.optimize`, `ql.sweep`, `walkForwardOptimize`, a study), or the validation
   * evidence. A search's result must come with its own bars: given bars that differ are refused (STUDY_MISMATCH).
   */
  validation?: SearchResult | ValidationInput;
  /** validation bars or a data file (default: validation.bars, else the study's bars among the shipped datasets, else the shipped dataset of the symbol). */
  data?: Bars | string;
  /** the execution (backtest) options validated and traded; fill is always 'next-open'. */
  execution?: ExecutionOptions;
  risk?: RiskLimits;
  runner?: Partial<RunnerSettings>;
  /** exchange REST origin to use (e.g. a local replay exchange); default the exchange's own. */
  url?: string;
  /** environment variable names for the live keys (default QUANTLAB_API_KEY / QUANTLAB_API_SECRET). */
  keyEnv?: string;
  secretEnv?: string;
  /** folder name (default '<strategy>-<symbol>-<timeframe>', e.g. 'sma-cross-btcusdt-1h'). */
  name?: string;
  /** the experiments folder (default <project>/experiments); the strategy goes to <it>/promoted/<name>/. */
  experimentsDir?: string;
  /** replace run.ts, config.json and validation.json of an earlier promotion (state files are kept). */
  overwrite?: boolean;
  /** a strategy that is not built in: the file that exports it (run.ts imports it from there). */
  strategyFile?: string;
  /** the exchange symbols of the strategy's inputs (other symbols), by input name: { btc: 'BTC/USDT:USDT' }; recorded in config.json. */
  inputs?: Record<string, string>;
  /** what a bar without an input bar at the same time shows, validated and traded alike (default 'hold'). */
  inputGaps?: 'hold' | 'nan' | 'error';
  /** the inputs' validation bars or data files, by input name (default: bars the validation bars already carry, else the shipped datasets of `inputs`, cut to the validation span). */
  inputData?: Record<string, Bars | string>;
}

export interface ValidationEvidence {
  promotedAt: string;
  strategy: string;
  params: Record<string, unknown>;
  paramsHash: string;
  data: {
    symbol: string; timeframe: string; from: string; to: string; bars: number; file: string | null; fileSha256: string | null; barsSha256: string;
    /** the inputs' validation bars (other symbols), by input name, and the gaps option they were aligned with. */
    inputs?: Record<string, { symbol: string; exchangeSymbol: string; bars: number; barsSha256: string }>;
    inputGaps?: string;
  };
  execution: ExecutionOptions;
  backtest: { stats: Stats; trades: number; finalEquity: number };
  overfitting: Record<string, number | string>;
  /** the search the parameters came from: its name, kind, trial counts (and storage, sampler). */
  study: { name: string; directions: readonly string[]; trials: number; complete: number; kind?: SearchEvidence['kind']; finished?: number; storage?: string; sampler?: string; sameData?: boolean } | null;
  /** the bar-by-bar form against the vector form on the validation data. */
  parity: { bars: number; signals: number; stepEqualsVector: true };
  /** the bias check on the validation data (look-ahead, warm-up, three-form parity); config.json's runner.warmupBars comes from its warm-up unless given. */
  bias: BiasReport;
  notes?: string;
}

export interface PromotedStrategy {
  name: string;
  dir: string;
  runPath: string;
  configPath: string;
  evidencePath: string;
  config: RunnerConfig;
  evidence: ValidationEvidence;
}

const isEvidence = (v: unknown): v is SearchEvidence => Boolean(v) && typeof (v as SearchEvidence).kind === 'string' && typeof (v as SearchEvidence).finished === 'number';
const isSearch = (v: unknown): v is SearchResult => isStudyHandle(v) || isOptimizeResult(v) || isWalkForwardResult(v) || isEvidence(v);

/** Normalises a search's result (or a study handle) into evidence. */
export async function searchEvidence(v: SearchResult | SearchEvidence): Promise<SearchEvidence> {
  if (isOptimizeResult(v)) return optimizeEvidence(v);
  if (isWalkForwardResult(v)) return walkForwardEvidence(v);
  if (isStudyHandle(v)) return handleEvidence(v);
  if (isEvidence(v)) return v;
  throw new QuantlabError('BAD_ARGUMENT', 'promote: validation.study: expected what ql.optimize, ql.sweep or walkForwardOptimize returned, or a study; found ' + (v === null ? 'null' : typeof v));
}

/** SHA-256 over the bars' six columns (bytes of the Float64Arrays, in column order). */
export function barsHash(bars: Bars): string {
  const h = createHash('sha256');
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    const c = bars[k];
    h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  }
  return h.digest('hex');
}

const fileHash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Export name of a built-in strategy object ('smaCross' for sma-cross), or undefined. */
function builtinExport(s: AnyStrategy): string | undefined {
  for (const [k, v] of Object.entries(builtins)) if (v === s) return k;
  return undefined;
}

async function strategyImport(s: AnyStrategy, file: string | undefined, dir: string): Promise<{ exportName: string; importFrom: string }> {
  const builtin = builtinExport(s);
  if (builtin) return { exportName: builtin, importFrom: 'quantlab' };
  if (!file) throw new QuantlabError('BAD_ARGUMENT', `promote: '${s.name}' is not a built-in strategy; pass { strategyFile } naming the file that exports it, so run.ts can import it`);
  const abs = resolve(file);
  if (!existsSync(abs)) throw new QuantlabError('NOT_FOUND', `promote: strategyFile ${abs}: no such file`);
  const mod = await importModule(abs);
  const scan = (m: Record<string, unknown>) => Object.entries(m).find(([, v]) => v === s || ((v as AnyStrategy)?.kind === 'strategy' && (v as AnyStrategy).name === s.name));
  const hit = scan(mod) ?? (mod.default && typeof mod.default === 'object' ? scan(mod.default as Record<string, unknown>) : undefined);
  if (!hit) throw new QuantlabError('NOT_FOUND', `promote: ${abs} exports no strategy named '${s.name}'`);
  let rel = relative(dir, abs).replace(/\\/g, '/').replace(/\.(ts|js|mts|cts)$/, '');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return { exportName: hit[0], importFrom: rel };
}

/** What validation.json records of the inputs the validation bars carry (nothing for a one-symbol strategy). */
function inputsEvidence(bars: Bars, config: RunnerConfig): Pick<ValidationEvidence['data'], 'inputs' | 'inputGaps'> {
  const a = config.inputs ? inputsOf(bars) : undefined;
  if (!a) return {};
  const inputs = Object.fromEntries(Object.entries(a.inputs).map(([k, b]) => [k, { symbol: b.symbol, exchangeSymbol: config.inputs![k] ?? '', bars: b.ts.length, barsSha256: barsHash(b) }]));
  return { inputs, inputGaps: a.gaps };
}

/** The validation bars with the strategy's inputs attached (see PromoteOptions.inputData); the config must name every input's symbol. */
async function validationInputs(strategy: AnyStrategy, o: PromoteOptions, bars: Bars): Promise<Bars> {
  const names = Object.keys(strategy.inputs ?? {});
  if (!names.length) return bars;
  for (const n of names) {
    if (typeof o.inputs?.[n] !== 'string') {
      throw new QuantlabError('BAD_ARGUMENT', `promote: ${strategy.name} reads input '${n}' (${strategy.inputs![n]!.symbol}); pass the exchange symbol the runner reads for it: { inputs: { ${n}: '${strategy.inputs![n]!.symbol.replace(/USDT$/, '/USDT')}${o.symbol.includes(':') ? ':USDT' : ''}' } }`);
    }
  }
  const carried = inputsOf(bars);
  if (carried && !o.inputData && names.every((n) => carried.inputs[n])) {
    if ((o.inputGaps ?? 'hold') !== carried.gaps) throw new QuantlabError('BAD_ARGUMENT', `promote: the validation bars carry inputs with gaps '${carried.gaps}', the options say inputGaps '${o.inputGaps ?? 'hold'}'`);
    return bars;
  }
  const market = o.symbol.includes(':') ? 'futures' : 'spot';
  const [from, to] = [bars.ts[0]!, bars.ts[bars.ts.length - 1]!];
  const inputs: Record<string, Bars> = {};
  for (const n of names) {
    const given = o.inputData?.[n];
    if (given && typeof given !== 'string') {
      inputs[n] = given;
      continue;
    }
    // (typeof, not ??: the notebook kernel's TypeScript 5.0 does not narrow `given` to string after the check above)
    const path: string = typeof given === 'string' ? given : datasetPath(o.inputs![n]!.split(':')[0]!, o.timeframe, market);
    const all = (await loadBars(path)).bars;
    let i0 = 0;
    while (i0 < all.ts.length && all.ts[i0]! < from) i0++;
    let i1 = all.ts.length;
    while (i1 > i0 && all.ts[i1 - 1]! > to) i1--;
    inputs[n] = { ts: all.ts.subarray(i0, i1), open: all.open.subarray(i0, i1), high: all.high.subarray(i0, i1), low: all.low.subarray(i0, i1), close: all.close.subarray(i0, i1), volume: all.volume.subarray(i0, i1), symbol: all.symbol, timeframe: all.timeframe };
  }
  return withInputs(bars, inputs, { gaps: o.inputGaps });
}

async function validationBars(o: PromoteOptions, v: ValidationInput, e: SearchEvidence | null): Promise<{ bars: Bars; file: string | null }> {
  let got: { bars: Bars; file: string | null } | null = null;
  if (o.data && typeof o.data !== 'string') got = { bars: o.data, file: v.dataFile ?? null };
  else if (typeof o.data === 'string') got = { bars: (await loadBars(o.data)).bars, file: o.data };
  else if (v.bars) got = { bars: v.bars, file: v.dataFile ?? null };
  if (got) {
    if (e) checkSameData(e, got.bars, 'promote');
    // bars given in memory: name the shipped file they are, when they are one (hashed into the evidence)
    if (!got.file) got.file = await shippedFileOf(got.bars);
    return got;
  }
  if (e?.data) {
    const found = await findStudyDataset(e, o.symbol, o.timeframe);
    if (!found) throw noStudyData(e, o.symbol, o.timeframe, 'promote');
    return found;
  }
  if (e && e.kind !== 'study') {
    // a search that cannot say which bars it ran on (no complete trial, an older stored study): never guess
    throw new QuantlabError('BAD_ARGUMENT', `promote: ${e.kind === 'walk-forward' ? 'the walk-forward' : `study '${e.name}'`} does not say which bars it searched (${e.complete} complete trials); pass data: the bars it searched`);
  }
  const market = o.symbol.includes(':') ? 'futures' : 'spot';
  let file: string;
  try {
    file = datasetPath(o.symbol.split(':')[0]!, o.timeframe, market);
  } catch (e) {
    throw new QuantlabError('NOT_FOUND', `promote: no validation data given and ${(e as Error).message}; pass { data: bars } or { validation: { bars } }`);
  }
  return { bars: (await loadBars(file)).bars, file };
}

/** Index of the first bar where two target arrays differ (NaN equals NaN), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return i;
  return -1;
}

/**
 * Promotes a validated strategy: checks it, backtests it on the validation data, and writes
 * `<experimentsDir>/promoted/<name>/{run.ts, config.json, validation.json}`. Returns the paths, config and evidence.
 * @example
 * const p = await promote(ql.smaCross, { fast: 43, slow: 74 }, { symbol: 'BTC/USDT', timeframe: '1h', experimentsDir: 'experiments' });
 * p.config.name // 'sma-cross-btcusdt-1h' (the folder experiments/promoted/sma-cross-btcusdt-1h/)
 */
export async function promote(strategyIn: AnyStrategy | string, paramsIn: Record<string, unknown>, o: PromoteOptions): Promise<PromotedStrategy> {
  const strategy = typeof strategyIn === 'string' ? getStrategy(strategyIn) : strategyIn;
  const params = strategy.resolveParams(paramsIn) as Record<string, unknown>;
  if (!o || typeof o.symbol !== 'string' || typeof o.timeframe !== 'string') throw new QuantlabError('BAD_ARGUMENT', "promote: expected options { symbol: 'BTC/USDT', timeframe: '1h', … }");
  const v: ValidationInput = isSearch(o.validation) ? { study: o.validation } : (o.validation ?? {});
  if (typeof v !== 'object') throw new QuantlabError('BAD_ARGUMENT', `promote: validation: expected what ql.optimize, ql.sweep or walkForwardOptimize returned, or { bars, study, trials, notes }; found ${typeof v}`);
  const e = v.study === undefined ? null : await searchEvidence(v.study);
  const name = checkPromotedName(o.name ?? `${strategy.name}-${o.symbol.split(':')[0]!.replace('/', '')}-${o.timeframe}`.toLowerCase(), 'promote: name');
  const dir = promotedDir(name, o.experimentsDir);
  const runPath = join(dir, 'run.ts');
  const configPath = join(dir, 'config.json');
  const evidencePath = join(dir, 'validation.json');

  const config = checkConfig(
    {
      version: 1,
      name,
      strategy: strategy.name,
      symbol: o.symbol,
      timeframe: o.timeframe,
      exchange: {
        id: o.exchange ?? 'binance',
        marketType: o.symbol.includes(':') ? 'swap' : 'spot',
        ...(o.url ? { url: o.url } : {}),
        keyEnv: o.keyEnv ?? DEFAULT_KEY_ENV,
        secretEnv: o.secretEnv ?? DEFAULT_SECRET_ENV,
      },
      execution: { fill: 'next-open', ...(o.execution ?? {}) },
      risk: o.risk ?? {},
      runner: { ...DEFAULT_RUNNER, ...o.runner },
      ...(o.inputs ? { inputs: o.inputs, inputGaps: o.inputGaps ?? 'hold' } : {}),
    },
    `promote ${name}`,
  );
  if (existsSync(runPath) && !o.overwrite) throw new QuantlabError('BAD_ARGUMENT', `promote: ${dir} already holds a promoted strategy; pass { overwrite: true } to replace its run.ts, config.json and validation.json`);

  // the runner runs the bar-by-bar form: it must equal the vector form the validation measured
  const { bars: baseBars, file } = await validationBars(o, v, e);
  const bars = await validationInputs(strategy, o, baseBars);
  if (bars.ts.length < 2) throw new QuantlabError('BAD_ARGUMENT', `promote: expected validation bars, found ${bars.ts.length}`);
  const vector = strategyTargets(strategy, bars, params);
  const step = streamTargets(strategy, bars, params);
  const at = firstDifference(step, vector);
  if (at >= 0) {
    throw new QuantlabError(
      'VALIDATION_FAILED',
      `promote: ${strategy.name}'s bar-by-bar form (streaming indicators + decide(), what the runner trades) and its vector form disagree on the validation data at bar ${at} (${isoTime(bars.ts[at]!)}): step ${step[at]}, vector ${vector[at]}; the runner would not trade what was validated`,
    );
  }
  // look-ahead, warm-up and three-form parity: refused when any fails; the runner's startup history is the measured warm-up
  const bias = checkBias(strategy, bars, params);
  if (!bias.ok) throw biasError(bias, 'promote');
  if (o.runner?.warmupBars === undefined) config.runner.warmupBars = bias.warmup.bars;
  if (config.exchange.marketType === 'spot' && vector.some((x) => x < 0) && config.execution.direction !== 'long') {
    throw new QuantlabError('BAD_ARGUMENT', `promote: ${strategy.name} goes short on the validation data, which a spot market cannot do; trade the swap symbol ('${o.symbol}:${o.symbol.split('/')[1]}') or set execution.direction 'long'`);
  }
  const trials = v.trials ?? (e?.finished || 1);
  const bt = backtest(strategy, bars, params, { ...simOptionsOf(config), trials });
  const evidence: ValidationEvidence = {
    promotedAt: new Date().toISOString(),
    strategy: strategy.name,
    params,
    paramsHash: paramsHash(params),
    data: {
      symbol: o.symbol,
      timeframe: o.timeframe,
      from: isoTime(bars.ts[0]!),
      to: isoTime(bars.ts[bars.ts.length - 1]!),
      bars: bars.ts.length,
      file: file ? resolve(file) : null,
      fileSha256: file && existsSync(file) ? fileHash(file) : null,
      barsSha256: barsHash(bars),
      ...inputsEvidence(bars, config),
    },
    execution: config.execution,
    backtest: { stats: bt.stats, trades: bt.trades.length, finalEquity: bt.finalEquity },
    overfitting: {
      trials,
      // the study's own figure (its best trial on its bars, deflated with the trials' Sharpe variance) when it has one
      deflatedSharpe: e?.deflatedSharpe ?? bt.stats.deflatedSharpe,
      probabilisticSharpe: e?.probabilisticSharpe ?? bt.stats.probabilisticSharpe,
      ...(e?.deflatedSharpe !== undefined ? { backtestDeflatedSharpe: bt.stats.deflatedSharpe } : {}),
      ...(e?.figures ?? {}),
      ...(v.overfitting ?? {}),
    },
    study: e ? studyRecord(e) : null,
    parity: { bars: bars.ts.length, signals: vector.filter((x) => x === x).length, stepEqualsVector: true },
    bias,
    ...(v.notes ? { notes: v.notes } : {}),
  };

  ensureDir(dir, 'promote');
  const imp = await strategyImport(strategy, o.strategyFile, dir);
  const script = runScript({
    name,
    strategy: strategy.name,
    ...imp,
    params,
    symbol: o.symbol,
    timeframe: o.timeframe,
    exchange: config.exchange.id,
    marketType: config.exchange.marketType,
    promotedAt: evidence.promotedAt,
    keyEnv: config.exchange.keyEnv,
    secretEnv: config.exchange.secretEnv,
    confirm: config.risk.maxNotional !== undefined ? confirmationPhrase(config) : undefined,
  });
  writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(evidencePath, `${JSON.stringify(evidence, jsonNumbers, 2)}\n`);
  writeFileAtomic(runPath, script, 'promote');
  return { name, dir, runPath, configPath, evidencePath, config, evidence };
}

function studyRecord(e: SearchEvidence): NonNullable<ValidationEvidence['study']> {
  const base = { name: e.name, directions: e.directions, trials: e.trials, complete: e.complete };
  if (e.kind === 'study') return base;
  return { ...base, kind: e.kind, finished: e.finished, ...(e.storage ? { storage: e.storage } : {}), ...(e.sampler ? { sampler: e.sampler } : {}), sameData: e.data !== undefined };
}

/** JSON cannot hold NaN or ±Infinity: written as null (NaN) or as strings. */
function jsonNumbers(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? null : String(v);
  return v;
}
