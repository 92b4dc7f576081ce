import { isoTime, QuantlabError, type Bars } from '../core';
import { datasetsDir, listDatasets, loadBars } from '../data';
import { openStorage, sortBest, type Direction, type TrialRecord } from '../optimizer';
import type { OptimizeResult, StrategyWalkForward } from '../research';
import { join } from 'node:path';

/**
 * What a search hands to promote() as evidence, whatever form it came in: a study handle (`trials()`), the
 * result of `optimize`/`sweep`, the result of `walkForwardOptimize`, or a study read back from its storage.
 * Each carries (or is given) the identity of the bars it searched, so that the promotion validates on the
 * same bars and says so.
 */

/** What an optimisation study offers as evidence (a lib/optimizer Study fits). */
export interface StudyLike {
  name: string;
  directions?: readonly string[];
  trials(): Promise<ReadonlyArray<{ state: string; values?: readonly number[] | null; params?: Record<string, unknown> }>>;
}

/** The bars a study searched, as far as the study knows them. */
export interface StudyData {
  /** bar count. */
  bars: number;
  /** first and last bar open time (ISO). */
  from: string;
  to: string;
  symbol?: string;
  timeframe?: string;
  /** close[last] / close[first] − 1 (what the best trial's statistics report as buy & hold). */
  buyHoldReturn?: number;
  /** bar open times that must be found at these indices (a walk-forward's out-of-sample bars). */
  at?: { index: Int32Array; ts: Float64Array };
}

/** A search normalised: its name, trial counts, and what it measured on its own bars. */
export interface SearchEvidence {
  kind: 'study' | 'optimize' | 'sweep' | 'walk-forward' | 'stored-study';
  name: string;
  directions: readonly string[];
  /** every trial of the study. */
  trials: number;
  complete: number;
  /** finished trials (complete + pruned): the count the deflated Sharpe deflates by. */
  finished: number;
  storage?: string;
  sampler?: string;
  data?: StudyData;
  /** the study's own deflated Sharpe of its best trial (on the study's bars, with the trials' Sharpe variance). */
  deflatedSharpe?: number;
  probabilisticSharpe?: number;
  /** further figures recorded as they are (PBO, walk-forward efficiency …). */
  figures: Record<string, number | string>;
}

export const isStudyHandle = (v: unknown): v is StudyLike =>
  Boolean(v) && typeof (v as StudyLike).trials === 'function' && typeof (v as StudyLike).name === 'string';

export const isOptimizeResult = (v: unknown): v is OptimizeResult =>
  Boolean(v) && typeof (v as OptimizeResult).studyName === 'string' && Array.isArray((v as OptimizeResult).trials);

export const isWalkForwardResult = (v: unknown): v is StrategyWalkForward =>
  Boolean(v) && Array.isArray((v as StrategyWalkForward).folds) && (v as StrategyWalkForward).oosTs instanceof Float64Array;

const finishedOf = (trials: ReadonlyArray<{ state: string }>) => trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length;

/** The evidence of an `optimize`/`sweep` result: its study name, trial counts, the bars its best trial ran on. */
export function optimizeEvidence(r: OptimizeResult): SearchEvidence {
  const complete = r.trials.filter((t) => t.state === 'complete').length;
  const s = r.best?.stats;
  const o = r.overfitting;
  const figures: Record<string, number | string> = {};
  if (o?.pbo) figures.pbo = o.pbo.pbo;
  if (o) figures.studySharpe = o.sharpe;
  if (o) figures.neighbourhoodWithin20 = o.stability.within20;
  return {
    kind: r.sampler === 'grid' && !o ? 'sweep' : 'optimize',
    name: r.studyName,
    directions: r.directions,
    trials: r.trials.length,
    complete,
    finished: o?.trials ?? finishedOf(r.trials),
    storage: r.storage,
    sampler: r.sampler,
    data: s ? { bars: s.bars, from: s.start, to: s.end, buyHoldReturn: s.buyHoldReturn } : undefined,
    deflatedSharpe: o?.deflated.deflatedSharpe,
    probabilisticSharpe: o?.deflated.probabilisticSharpe,
    figures,
  };
}

/**
 * The evidence of a walk-forward result: folds, efficiency, and the out-of-sample bars it stitched. Its trial
 * count is not known from the result (each fold ran a study of its own): the deflated Sharpe deflates by
 * `validation.trials` when given (folds × trials per fold), else by 1.
 */
export function walkForwardEvidence(r: StrategyWalkForward): SearchEvidence {
  const n = r.oosTs.length;
  const lastTest = r.folds.length ? r.folds[r.folds.length - 1]!.test.end : 0;
  return {
    kind: 'walk-forward',
    name: `${r.strategy} walk-forward (${r.folds.length} folds)`,
    directions: [],
    // the result does not say how many trials each fold's study ran: 0 = not known (pass validation.trials)
    trials: 0,
    complete: 0,
    finished: 0,
    data: n ? { bars: lastTest, from: isoTime(r.oosTs[0]!), to: isoTime(r.oosTs[n - 1]!), at: { index: r.oosIndex, ts: r.oosTs } } : undefined,
    figures: { folds: r.folds.length, wfe: r.wfe, wfeObjective: r.wfeObjective, oosAnnualReturn: r.oosAnnualReturn, oosBars: n },
  };
}

/** The evidence of a study handle (trials() only: it knows nothing of its bars). */
export async function handleEvidence(s: StudyLike): Promise<SearchEvidence> {
  const all = await s.trials();
  return { kind: 'study', name: s.name, directions: s.directions ?? [], trials: all.length, complete: all.filter((t) => t.state === 'complete').length, finished: finishedOf(all), figures: {} };
}

/** The evidence of a study read from its storage: `meta.data` is what `optimize` stored about its bars. */
export function storedEvidence(name: string, storage: string, directions: readonly Direction[], meta: Record<string, unknown>, trials: readonly TrialRecord[]): SearchEvidence {
  const d = meta.data as { symbol?: string; timeframe?: string; bars?: number; from?: number | null; to?: number | null } | undefined;
  const data: StudyData | undefined =
    d && typeof d.bars === 'number' && typeof d.from === 'number' && typeof d.to === 'number'
      ? { bars: d.bars, from: isoTime(d.from), to: isoTime(d.to), symbol: d.symbol || undefined, timeframe: d.timeframe || undefined }
      : undefined;
  return {
    kind: 'stored-study',
    name,
    directions,
    trials: trials.length,
    complete: trials.filter((t) => t.state === 'complete').length,
    finished: finishedOf(trials),
    storage,
    sampler: typeof meta.sampler === 'string' ? meta.sampler : undefined,
    data,
    figures: {},
  };
}

const describeData = (d: StudyData): string =>
  `${d.symbol ? `${d.symbol} ` : ''}${d.timeframe ? `${d.timeframe} ` : ''}${d.from} → ${d.to}, ${d.bars} bars${d.at ? ` (out-of-sample bars ${d.at.ts.length})` : ''}`;

const describeBars = (b: Bars): string => `${b.symbol ? `${b.symbol} ` : ''}${b.timeframe ? `${b.timeframe} ` : ''}${b.ts.length ? `${isoTime(b.ts[0]!)} → ${isoTime(b.ts[b.ts.length - 1]!)}` : '(empty)'}, ${b.ts.length} bars`;

/** Why these bars are not the bars the study searched, or null when they are. */
export function dataDifference(d: StudyData, bars: Bars): string | null {
  const n = bars.ts.length;
  if (d.at) {
    if (n < d.bars) return `the walk-forward ran over at least ${d.bars} bars, found ${n}`;
    for (let i = 0; i < d.at.index.length; i++) {
      const k = d.at.index[i]!;
      if (bars.ts[k] !== d.at.ts[i]) return `out-of-sample bar ${k} opened at ${isoTime(d.at.ts[i]!)} in the walk-forward, at ${n > k ? isoTime(bars.ts[k]!) : 'nothing (too few bars)'} here`;
    }
    return null;
  }
  if (n !== d.bars) return `the study searched ${d.bars} bars, found ${n}`;
  if (!n) return null;
  if (isoTime(bars.ts[0]!) !== d.from) return `the study's first bar opened at ${d.from}, found ${isoTime(bars.ts[0]!)}`;
  if (isoTime(bars.ts[n - 1]!) !== d.to) return `the study's last bar opened at ${d.to}, found ${isoTime(bars.ts[n - 1]!)}`;
  if (d.symbol && bars.symbol && d.symbol !== bars.symbol) return `the study searched ${d.symbol}, found ${bars.symbol}`;
  if (d.timeframe && bars.timeframe && d.timeframe !== bars.timeframe) return `the study searched ${d.timeframe} bars, found ${bars.timeframe}`;
  if (d.buyHoldReturn !== undefined && Number.isFinite(d.buyHoldReturn)) {
    const bh = bars.close[n - 1]! / bars.close[0]! - 1;
    if (Math.abs(bh - d.buyHoldReturn) > 1e-12 * Math.max(1, Math.abs(bh))) {
      return `same span but other prices: buy & hold ${d.buyHoldReturn} in the study, ${bh} here (spot against futures?)`;
    }
  }
  return null;
}

/** Refuses bars that are not the study's, naming both. */
export function checkSameData(e: SearchEvidence, bars: Bars, where: string): void {
  if (!e.data) return;
  const why = dataDifference(e.data, bars);
  if (why) {
    throw new QuantlabError(
      'STUDY_MISMATCH',
      `${where}: the validation bars (${describeBars(bars)}) are not the bars ${e.kind === 'walk-forward' ? 'the walk-forward' : `study '${e.name}'`} searched (${describeData(e.data)}): ${why}; pass data: the bars the study searched`,
    );
  }
}

/**
 * The shipped dataset holding exactly the bars the study searched (the symbol's own market first, then the
 * other), or null.
 */
export async function findStudyDataset(e: SearchEvidence, symbol: string, timeframe: string): Promise<{ bars: Bars; file: string } | null> {
  if (!e.data) return null;
  const sym = symbol.split(':')[0]!.replace(/[/_-]/g, '').toUpperCase();
  const own = symbol.includes(':') ? 'futures' : 'spot';
  const candidates = listDatasets()
    .filter((d) => d.symbol === sym && d.timeframe === timeframe && (e.data!.at || d.rows === e.data!.bars))
    .sort((a, b) => (a.market === own ? -1 : 0) - (b.market === own ? -1 : 0));
  for (const c of candidates) {
    const file = join(datasetsDir(), c.file.replace(/^datasets\//, ''));
    const { bars } = await loadBars(file);
    if (!dataDifference(e.data, bars)) return { bars, file };
  }
  return null;
}

/** The message when no validation bars were given and no shipped dataset is the study's. */
export function noStudyData(e: SearchEvidence, symbol: string, timeframe: string, where: string): QuantlabError {
  return new QuantlabError(
    'STUDY_MISMATCH',
    `${where}: ${e.kind === 'walk-forward' ? 'the walk-forward' : `study '${e.name}'`} searched ${e.data ? describeData(e.data) : 'bars it does not describe'}, and no shipped ${symbol} ${timeframe} dataset holds those bars; pass data: the bars the study searched`,
  );
}

/** A study read back from its storage: its evidence, what `optimize` stored about it, and its best trial. */
export interface StoredStudy {
  evidence: SearchEvidence;
  meta: Record<string, unknown>;
  /** the strategy the study optimised (meta.strategy), if stored. */
  strategy?: string;
  /** the best complete trial's parameters with the study's fixed ones (single objective only). */
  bestParams: Record<string, unknown> | null;
}

/**
 * Reads a stored study (`quantlab optimize --study NAME --storage URL`) as promotion evidence.
 * NOT_FOUND names the studies the storage holds.
 */
export async function readStoredStudy(name: string, storageUrl: string): Promise<StoredStudy> {
  const storage = openStorage(storageUrl);
  try {
    const rec = await storage.getStudy(name);
    if (!rec) {
      const names = (await storage.listStudies()).map((x) => x.name);
      throw new QuantlabError('NOT_FOUND', `promote --study: no study named '${name}' in ${storage.url}; there are: ${names.join(', ') || '(none)'}`);
    }
    const trials = await storage.getTrials(name);
    const best = rec.directions.length === 1 ? (sortBest(trials.filter((t) => t.state === 'complete'), rec.directions[0]!)[0] ?? null) : null;
    const fixed = rec.meta.fixed && typeof rec.meta.fixed === 'object' ? (rec.meta.fixed as Record<string, unknown>) : {};
    return {
      evidence: storedEvidence(name, storage.url, rec.directions, rec.meta, trials),
      meta: rec.meta,
      strategy: typeof rec.meta.strategy === 'string' ? rec.meta.strategy : undefined,
      bestParams: best ? { ...fixed, ...best.params } : null,
    };
  } finally {
    await storage.close();
  }
}

/** The shipped dataset file whose bars are exactly these (same times and prices), or null: provenance for bars given in memory. */
export async function shippedFileOf(bars: Bars): Promise<string | null> {
  const n = bars.ts.length;
  if (!n) return null;
  for (const d of listDatasets()) {
    if (d.symbol !== bars.symbol || d.timeframe !== bars.timeframe || d.rows !== n) continue;
    const file = join(datasetsDir(), d.file.replace(/^datasets\//, ''));
    const { bars: b } = await loadBars(file);
    let same = true;
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
      const x = b[k];
      const y = bars[k];
      for (let i = 0; i < n && same; i++) same = x[i] === y[i];
      if (!same) break;
    }
    if (same) return file;
  }
  return null;
}
