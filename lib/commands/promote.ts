/**
 * `quantlab promote [strategy]`: what `promote()` does in a notebook, from the command line. The evidence is a
 * stored study (`quantlab optimize --study NAME`, default storage sqlite:experiments/studies.db): its best
 * parameters are promoted unless `--params`/`--param` give others, and the validation runs on the study's own
 * bars (`--data` must be those bars; without it, the shipped dataset that holds them).
 */
import type { Command } from 'commander';
import { QuantlabError } from '../core';
import { readStoredStudy, type StoredStudy } from '../live/evidence';
import { promote, type PromoteOptions } from '../live/promote';
import { getStrategy, loadStrategyFile, type ParamSpace } from '../strategy';
import { loadBarsArg } from './args';
import { DEFAULT_STUDY_STORAGE } from './optimize';
import { collect, jsonText, readParams } from './strategy-flags';

interface PromoteFlags {
  strategyFile?: string;
  params?: string;
  param: string[];
  symbol?: string;
  timeframe?: string;
  data?: string;
  study?: string;
  storage?: string;
  exchange?: string;
  url?: string;
  name?: string;
  overwrite?: boolean;
  json?: boolean;
}

/** --params '{"fast":9}' as an object of the strategy's parameters (each checked by the strategy later). */
function paramsJson(text: string, space: ParamSpace, strategy: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new QuantlabError('BAD_ARGUMENT', `--params: expected a JSON object such as '{"fast":9,"slow":40}', found '${text}' (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new QuantlabError('BAD_ARGUMENT', `--params: expected a JSON object such as '{"fast":9,"slow":40}', found ${JSON.stringify(v)}`);
  for (const k of Object.keys(v)) {
    if (!(k in space)) throw new QuantlabError('BAD_ARGUMENT', `--params: strategy '${strategy}' has no parameter '${k}'; it has ${Object.keys(space).join(', ')}`);
  }
  return v as Record<string, unknown>;
}

/** Adds `promote` to the program. */
export function registerPromoteCommand(program: Command): void {
  program
    .command('promote [strategy]')
    .description('promote a strategy with its parameters to experiments/promoted/<name>/ (run.ts, config.json, validation.json), validated on its study’s bars')
    .option('--strategy-file <file>', 'register the strategies exported by your own file first')
    .option('--params <json>', 'parameters as JSON, e.g. \'{"fast":9,"slow":40}\' (default: the study’s best trial)')
    .option('-p, --param <name=value>', 'a parameter (repeatable; over --params and the study’s best)', collect, [])
    .option('--symbol <symbol>', "unified symbol to trade: 'BTC/USDT' (spot) or 'BTC/USDT:USDT' (USDT-M swap)")
    .option('-t, --timeframe <tf>', 'timeframe (default: the study’s, else 1h)')
    .option('-d, --data <fileOrSymbol>', 'validation bars: a file or a dataset symbol (BTCUSDT, BTCUSDT:futures); with --study they must be the study’s bars')
    .option('--study <name>', 'the stored study the parameters come from (its trials and bars are the evidence)')
    .option('--storage <url>', `where the study lives (default ${DEFAULT_STUDY_STORAGE})`)
    .option('--exchange <id>', 'ccxt exchange id (default binance)')
    .option('--url <origin>', 'exchange REST origin written into config.json (e.g. a local replay exchange)')
    .option('--name <name>', "folder name (default '<strategy>-<symbol>-<timeframe>')")
    .option('--overwrite', 'replace an earlier promotion of the same name (its state files are kept)')
    .option('--json', 'print one JSON object')
    .action(async (strategyArg: string | undefined, f: PromoteFlags) => {
      if (f.strategyFile) await loadStrategyFile(f.strategyFile);
      const stored: StoredStudy | null = f.study ? await readStoredStudy(f.study, f.storage ?? DEFAULT_STUDY_STORAGE) : null;
      if (!f.study && f.storage) throw new QuantlabError('BAD_ARGUMENT', 'promote: --storage names where a --study lives; give --study NAME too');
      const name = strategyArg ?? stored?.strategy;
      if (!name) throw new QuantlabError('BAD_ARGUMENT', 'promote: expected a strategy name (quantlab promote sma-cross …) or a --study that names its strategy');
      if (stored?.strategy && stored.strategy !== name) {
        throw new QuantlabError('STUDY_MISMATCH', `promote: study '${f.study}' optimised '${stored.strategy}', not '${name}'; promote '${stored.strategy}' or name the study of '${name}'`);
      }
      const strategy = getStrategy(name);
      if (!f.symbol) throw new QuantlabError('BAD_ARGUMENT', "promote: --symbol is required: 'BTC/USDT' (spot) or 'BTC/USDT:USDT' (USDT-M swap)");
      const space = strategy.params as ParamSpace;
      const given = { ...(f.params !== undefined ? paramsJson(f.params, space, name) : {}), ...readParams(space, f.param, name) };
      const explicit = f.params !== undefined || f.param.length > 0;
      if (!explicit && stored && !stored.bestParams) throw new QuantlabError('BAD_ARGUMENT', `promote: study '${f.study}' has no complete trial (or several objectives): give --params`);
      if (!explicit && !stored) throw new QuantlabError('BAD_ARGUMENT', "promote: give the parameters (--params '{\"fast\":9,\"slow\":40}' or --param fast=9) or a --study whose best trial to promote");
      const params = explicit ? { ...(stored?.bestParams ?? {}), ...given } : stored!.bestParams!;
      const studyTf = stored?.evidence.data?.timeframe;
      const timeframe = f.timeframe ?? studyTf ?? '1h';
      const options: PromoteOptions = {
        symbol: f.symbol,
        timeframe,
        ...(f.exchange ? { exchange: f.exchange } : {}),
        ...(f.url ? { url: f.url } : {}),
        ...(f.name ? { name: f.name } : {}),
        overwrite: Boolean(f.overwrite),
        ...(f.strategyFile ? { strategyFile: f.strategyFile } : {}),
      };
      if (f.data) {
        const loaded = await loadBarsArg(f.data, { timeframe });
        options.data = loaded.bars;
        options.validation = { bars: loaded.bars, ...(/\.(csv|json|parquet)$/i.test(f.data) ? { dataFile: f.data } : {}), ...(stored ? { study: stored.evidence } : {}) };
      } else if (stored) options.validation = stored.evidence;
      const p = await promote(strategy, params, options).catch((e: unknown) => {
        // the library's advice names its option; here it is a flag
        if (e instanceof QuantlabError) {
          const m = e.message.replace('pass { overwrite: true }', 'pass --overwrite').replace('pass data: the bars the study searched', 'pass --data with the bars the study searched');
          if (m !== e.message) throw new QuantlabError(e.code, m, e.details);
        }
        throw e;
      });
      if (f.json) return console.log(jsonText({ name: p.name, dir: p.dir, run: p.runPath, config: p.configPath, evidence: p.evidencePath, params: p.evidence.params, study: p.evidence.study, overfitting: p.evidence.overfitting, data: p.evidence.data }));
      const ev = p.evidence;
      console.log(`promoted ${ev.strategy} ${JSON.stringify(ev.params)} to ${p.dir}`);
      console.log(`  validated on ${ev.data.symbol} ${ev.data.timeframe} ${ev.data.from} → ${ev.data.to} (${ev.data.bars} bars${ev.data.file ? `, ${ev.data.file}` : ''})`);
      if (ev.study) console.log(`  study ${ev.study.name}: ${ev.study.trials} trials (${ev.study.complete} complete)${ev.study.storage ? ` in ${ev.study.storage}` : ''}`);
      console.log(`  ${ev.backtest.trades} trades, final equity ${ev.backtest.finalEquity.toFixed(2)}, deflated Sharpe ${Number(ev.overfitting.deflatedSharpe).toFixed(4)} over ${ev.overfitting.trials} trials`);
      console.log(`run it: npx quantlab run ${p.name} --paper --url http://127.0.0.1:PORT   (the replay exchange: npx quantlab exchange serve)`);
    });
}
