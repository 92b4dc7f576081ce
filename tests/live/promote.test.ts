/**
 * promote(): the folder it writes (run.ts, config.json, validation.json), the evidence checked against an
 * independent backtest and hashes, the refusals (a strategy whose bar-by-bar and vector forms disagree,
 * execution options the runner cannot honour, a short-selling strategy on spot, an existing promotion), a
 * strategy from a file of your own, frozen parameters, and `quantlab run` / `quantlab reconcile` on the result.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerRunCommands } from '../../lib/commands/run';
import { isoTime, sliceBars, type Bars } from '../../lib/core';
import { datasetPath } from '../../lib/data';
import { readConfig, simOptionsOf } from '../../lib/live/config';
import { runPromoted } from '../../lib/live/main';
import { promote, type StudyLike } from '../../lib/live/promote';
import { promotedStrategy } from '../../lib/live/promoted';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { paperSession } from '../../lib/live/session';
import { StateStore } from '../../lib/live/state-store';
import { backtest, defineStrategy, getStrategy, ind, int, smaCross, type AnyStrategy } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';
import { ACTIVE_PARAMS, futuresWindow, ROOT, spawnRun, tempDir, waitFor, watchState, type Child } from '../helpers/runner';

const servers: ReplayExchange[] = [];
const children: Child[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

const study: StudyLike = {
  name: 'sma-cross-btc',
  directions: ['maximize'],
  trials: async () => [...Array.from({ length: 40 }, () => ({ state: 'complete' })), ...Array.from({ length: 5 }, () => ({ state: 'pruned' })), { state: 'fail' }],
};
const json = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : String(v)) : v))) as unknown;

describe('promote() writes a folder the runner can trade', () => {
  it('run.ts imports the strategy and freezes the parameters; config.json and validation.json hold what was validated', async () => {
    const bars = sliceBars(btc1h(), 60_000, 62_000);
    const root = tempDir('promote');
    const p = await promote(smaCross, { fast: 43, slow: 74 }, { symbol: 'BTC/USDT', timeframe: '1h', validation: { study, bars, notes: 'walk-forward ok' }, experimentsDir: root, risk: { maxNotional: 20_000, maxDrawdown: 0.25 } });
    expect(p.dir).toBe(join(root, 'promoted', 'sma-cross-btcusdt-1h'));
    const script = readFileSync(p.runPath, 'utf8');
    expect(script).toContain("import { smaCross } from 'quantlab';");
    expect(script).toContain('export const params = { fast: 43, slow: 74 };');
    expect(script).toContain("--live --confirm 'BTC/USDT 20000'");
    expect(script.split('\n').length).toBeLessThan(30);
    const config = readConfig(p.dir);
    expect(config).toEqual(p.config);
    expect(config).toMatchObject({ strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '1h', exchange: { id: 'binance', marketType: 'spot', keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET' }, execution: { fill: 'next-open' }, risk: { maxNotional: 20_000, maxDrawdown: 0.25 } });
    expect(readFileSync(p.configPath, 'utf8')).not.toMatch(/"(apiKey|secret|password)"\s*:/i);

    const ev = JSON.parse(readFileSync(p.evidencePath, 'utf8'));
    // the variants tried: complete and pruned trials (45), the count the optimiser's own deflated Sharpe uses
    const bt = backtest(smaCross, bars, { fast: 43, slow: 74 }, { ...simOptionsOf(config), trials: 45 });
    expect(ev.backtest.stats).toEqual(json(bt.stats));
    expect(ev.backtest.trades).toBe(bt.trades.length);
    expect(ev.overfitting).toMatchObject({ trials: 45, deflatedSharpe: bt.stats.deflatedSharpe });
    expect(ev.study).toEqual({ name: 'sma-cross-btc', directions: ['maximize'], trials: 46, complete: 40 });
    const h = createHash('sha256');
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) h.update(Buffer.from(bars[k].buffer, bars[k].byteOffset, bars[k].byteLength));
    expect(ev.data).toEqual({ symbol: 'BTC/USDT', timeframe: '1h', from: isoTime(bars.ts[0]!), to: isoTime(bars.ts[1999]!), bars: 2000, file: null, fileSha256: null, barsSha256: h.digest('hex') });
    expect(ev.parity).toMatchObject({ bars: 2000, stepEqualsVector: true });
    expect(ev.notes).toBe('walk-forward ok');
  });

  it('without data it validates on the shipped dataset and hashes the file', async () => {
    const p = await promote('sma-cross', { fast: 20, slow: 100 }, { symbol: 'BTC/USDT', timeframe: '1d', experimentsDir: tempDir('promote') });
    const file = datasetPath('BTCUSDT', '1d');
    expect(p.evidence.data.file).toBe(file);
    expect(p.evidence.data.fileSha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(p.evidence.overfitting.trials).toBe(1);
  });

  it('refuses a strategy whose bar-by-bar form disagrees with its vector form, naming the first bar', async () => {
    const peeking = defineStrategy({
      name: 'peeking',
      params: { n: int(2, 100, { default: 10 }) },
      indicators: (p) => ({ avg: ind.sma(p.n) }),
      decide: (bar) => (bar.close > bar.avg ? 1 : 0),
      // the vector form looks one bar ahead: a classic bug the runner could never reproduce
      targets: (bars, c, _p, out) => {
        for (let t = 0; t < out.length; t++) out[t] = (bars.close[t + 1] ?? bars.close[t]!) > c.avg[t]! ? 1 : 0;
        return out;
      },
    });
    const bars = sliceBars(btc1h(), 0, 500);
    const avg = ind.sma(10).compute(bars) as Float64Array;
    let first = 0;
    while ((bars.close[first]! > avg[first]! ? 1 : 0) === ((bars.close[first + 1] ?? 0) > avg[first]! ? 1 : 0)) first++;
    await expect(promote(peeking, {}, { symbol: 'BTC/USDT', timeframe: '1h', data: bars, experimentsDir: tempDir('promote') })).rejects.toThrow(
      new RegExp(`peeking's bar-by-bar form .* disagree on the validation data at bar ${first} \\(${isoTime(bars.ts[first]!)}\\)`),
    );
  });

  it('refuses what the runner cannot honour, a short seller on spot, a non-built-in without its file, and an existing promotion', async () => {
    const bars = sliceBars(btc1h(), 0, 800);
    const root = tempDir('promote');
    const base = { symbol: 'BTC/USDT', timeframe: '1h', data: bars, experimentsDir: root };
    await expect(promote('sma-cross', {}, { ...base, execution: { fill: 'close' } as never })).rejects.toThrow(/execution.fill: expected 'next-open'/);
    await expect(promote('sma-cross', {}, { ...base, execution: { stopLoss: 0.02 } as never })).rejects.toThrow(/stopLoss .* not supported/);
    await expect(promote('sma-cross-ls', {}, base)).rejects.toThrow(/goes short on the validation data, which a spot market cannot do; trade the swap symbol \('BTC\/USDT:USDT'\)/);
    const mine = defineStrategy({ name: 'mine', params: {}, indicators: () => ({ avg: ind.sma(5) }), decide: (b) => (b.close > b.avg ? 1 : 0) });
    await expect(promote(mine, {}, base)).rejects.toThrow(/'mine' is not a built-in strategy; pass \{ strategyFile \}/);
    await promote('sma-cross', {}, base);
    await expect(promote('sma-cross', { fast: 11 }, base)).rejects.toThrow(/already holds a promoted strategy; pass \{ overwrite: true \}/);
    const again = await promote('sma-cross', { fast: 11 }, { ...base, overwrite: true });
    expect(readFileSync(again.runPath, 'utf8')).toContain('fast: 11');
  });

  it('a strategy from your own file: run.ts imports it from there', async () => {
    const root = tempDir('promote');
    const file = join(root, 'above-sma.ts');
    writeFileSync(
      file,
      `import { defineStrategy, ind, int } from '${ROOT}/lib/strategy';
export const aboveSma = defineStrategy({
  name: 'above-sma-test',
  params: { n: int(2, 400, { default: 20 }) },
  indicators: (p) => ({ avg: ind.sma(p.n) }),
  decide: (bar) => (bar.close > bar.avg ? 1 : bar.close < bar.avg ? 0 : NaN),
});
`,
    );
    const mod = (await import(pathToFileURL(file).href)) as { aboveSma: AnyStrategy };
    const p = await promote(mod.aboveSma, { n: 30 }, { symbol: 'BTC/USDT', timeframe: '1h', data: sliceBars(btc1h(), 0, 600), experimentsDir: root, strategyFile: file });
    expect(readFileSync(p.runPath, 'utf8')).toContain("import { aboveSma } from '../../above-sma';");
  });

  it('the runner refuses parameters that differ from the validated ones', async () => {
    const bars = sliceBars(btc1h(), 0, 600);
    const p = await promote('sma-cross', { fast: 5, slow: 20 }, { symbol: 'BTC/USDT', timeframe: '1h', data: bars, experimentsDir: tempDir('promote') });
    const out: string[] = [];
    const code = await runPromoted({ strategy: getStrategy('sma-cross'), params: { fast: 6, slow: 20 }, dir: p.dir, argv: ['--paper'], out: (l) => out.push(l) });
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/run.ts trades sma-cross \{"fast":6,"slow":20\}, but .*validation.json validated sma-cross \{"fast":5,"slow":20\}; promote again/);
  });
});

describe('the notebook’s one call', () => {
  it('paperSession({ promoted }) trades the last bars of the shipped data on paper and equals their backtest', async () => {
    const p = await promote('sma-cross', { fast: 5, slow: 20 }, { symbol: 'BTC/USDT', timeframe: '1h', data: sliceBars(btc1h(), 0, 1000), experimentsDir: tempDir('notebook') });
    const s = await paperSession({ promoted: p, window: 300 });
    // the warm-up is the promoted runner history (the bias check's measured warm-up), at most half the window
    const warm = Math.min(p.config.runner.warmupBars, 150);
    expect(warm).toBe(p.evidence.bias.warmup.bars);
    expect(s.parity).toMatchObject({ equal: true, firstDifference: undefined, vacuous: false, trades: s.trades.length });
    expect(s.parity.summary).toBe(`identical: ${s.trades.length} trade(s) and ${299 - warm} bars of equity, trade for trade`);
    expect(s.trades.length).toBeGreaterThan(2);
    expect(s.trades).toEqual(s.backtestTrades);
    const all = btc1h();
    expect(s.equity.ts.length).toBe(299 - warm); // the warm-up bars, then every bar with a next open to fill at
    expect(s.equity.ts[s.equity.ts.length - 1]).toBe(all.ts[all.ts.length - 2]);
    expect(Array.from(s.equity.run)).toEqual(Array.from(s.equity.backtest));
    expect(s.config.symbol).toBe('BTC/USDT');
  });
});

describe('quantlab run and quantlab reconcile on a promoted folder', () => {
  it('`run <name> --paper` trades the replay exchange’s candles until SIGTERM; `reconcile <name>` prints the comparison and writes the chart', { timeout: 60_000 }, async () => {
    const W = 100;
    const bars: Bars = await futuresWindow(160);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = tempDir('cli');
    const p = await promote('sma-cross-ls', ACTIVE_PARAMS['sma-cross-ls']!, {
      symbol: 'BTC/USDT:USDT',
      timeframe: '1h',
      data: bars,
      experimentsDir: root,
      execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
      runner: { warmupBars: W, pollMs: 5 },
    });
    const cli = join(root, 'cli.ts');
    writeFileSync(
      cli,
      `import { Command } from 'commander';
import { registerRunCommands } from '${ROOT}/lib/commands/run';
const program = new Command('quantlab');
registerRunCommands(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).then(() => process.exit(Number(process.exitCode ?? 0)));
`,
    );
    const c = spawnRun(cli, ['run', p.name, '--paper', '--experiments', root, '--url', ex.url, '--json', '--poll-ms', '5']);
    children.push(c);
    await waitFor(() => c.lines.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'the runner to start', 30_000, 5);
    if (c.proc.exitCode !== null) throw new Error(`the runner exited: ${c.lines.join('\n')}`);
    const store: StateStore = await watchState(join(p.dir, 'paper.db'));
    for (let k = 1; k <= 40; k++) {
      ex.step(1);
      await waitFor(() => store.lastDoneTs() === bars.ts[W + k - 1], `bar ${k}`, 20_000, 1);
    }
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.lines.some((l) => l.includes('"event":"stop"') && l.includes('received SIGTERM'))).toBe(true);
    expect(store.bars(['done'])).toHaveLength(40);
    expect(existsSync(join(p.dir, 'paper.log.jsonl'))).toBe(true);
    expect(ex.engine.snapshot().orders).toHaveLength(0); // paper: nothing reached the exchange
    store.close();

    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      const program = new Command('quantlab').exitOverride();
      registerRunCommands(program);
      await program.parseAsync(['reconcile', p.name, '--experiments', root, '--html'], { from: 'user' });
    } finally {
      vi.restoreAllMocks();
    }
    const text = out.join('\n');
    expect(text).toMatch(/40 bars; run (\d+) trades, backtest \1; \1 match, 0 differ, 0 run-only, 0 backtest-only/);
    expect(text).toMatch(/bars whose equity differs: 0/);
    const html = readFileSync(join(p.dir, 'reconcile-paper.html'), 'utf8');
    expect(html).toContain('Plotly.newPlot');
    expect(html).toContain('"name":"backtest"');
    const { strategy, params } = await promotedStrategy(p.dir);
    expect([strategy.name, params]).toEqual(['sma-cross-ls', ACTIVE_PARAMS['sma-cross-ls']]);
  });
});
