/**
 * Alerts delivered for real: a paper session (`quantlab run … --paper` as a child process, the replay exchange
 * running its clock) sends to a local HTTP receiver (webhook, HMAC-checked, and a Telegram Bot API stand-in)
 * and a local SMTP server (the smtp-server package, with login). Checked: the content of each rule that fired
 * (fills, closed trades with PnL, the daily summary at 00:00 UTC), no secret in any message or in the log, and
 * a channel that never answers neither stops nor slows the trading. Then the dispatcher alone: de-duplication,
 * the rate limit, retries with backoff, and config errors naming the field.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDispatcher, alertsProblems, type AlertReport } from '../../lib/alerts';
import { checkConfig } from '../../lib/live/config';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { hasStack, quantlab, type CliChild } from '../live/cli-child';
import { futuresConfig, futuresWindow, promotedFixture, tempDir, waitFor } from '../helpers/runner';

const SECRETS = { QUANTLAB_WEBHOOK_SECRET: 'whsec-7f3a9c1e55d2', QUANTLAB_TELEGRAM_TOKEN: '123456:tg-secret-b81d0e', QUANTLAB_SMTP_USER: 'alerts-user', QUANTLAB_SMTP_PASS: 'smtp-pass-4e2b9d' };

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const closers: (() => Promise<void> | void)[] = [];
const children: CliChild[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  for (const c of closers) await c();
});

/** An HTTP receiver: records every request; `hang` never answers (a dead channel), `fail` answers 500 `fail` times first. */
async function receiver(o: { hang?: boolean; fail?: number } = {}): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  let failures = o.fail ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body });
      if (o.hang) return;
      if (failures > 0) {
        failures--;
        res.writeHead(500).end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

/** A local SMTP server that requires the test login and records every message. */
async function smtp(): Promise<{ port: number; mails: { from: string; to: string[]; data: string }[] }> {
  const mails: { from: string; to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _s, cb) {
      if (auth.username === SECRETS.QUANTLAB_SMTP_USER && auth.password === SECRETS.QUANTLAB_SMTP_PASS) cb(null, { user: auth.username });
      else cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (d: Buffer) => (data += d.toString()));
      stream.on('end', () => {
        mails.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((x) => x.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

const secretIn = (text: string): string | undefined => Object.values(SECRETS).find((s) => text.includes(s));

describe('alerts from a running paper session', () => {
  it('webhook (HMAC), Telegram and email receive fills, closed trades and the daily summary; no secret anywhere; a dead channel slows nothing', { timeout: 150_000 }, async () => {
    const hook = await receiver({ fail: 1 }); // the first delivery fails: retried
    const tg = await receiver();
    const dead = await receiver({ hang: true });
    const mail = await smtp();
    const bars = await futuresWindow(160);
    const W = 60;
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    closers.push(() => ex.close());
    const root = tempDir('alerts');
    const p = await promotedFixture(root, ex.url, { bars });
    const cfgPath = join(p.dir, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.alerts = {
      dedupSeconds: 300,
      maxPerMinute: 1000,
      timeoutMs: 300,
      attempts: 3,
      channels: [
        { type: 'webhook', url: `${hook.url}/quantlab`, secretEnv: 'QUANTLAB_WEBHOOK_SECRET' },
        { type: 'telegram', chatId: '4242', tokenEnv: 'QUANTLAB_TELEGRAM_TOKEN', baseUrl: tg.url },
        { type: 'email', host: '127.0.0.1', port: mail.port, from: 'bot@quantlab.test', to: ['me@quantlab.test'], userEnv: 'QUANTLAB_SMTP_USER', passEnv: 'QUANTLAB_SMTP_PASS' },
        { type: 'webhook', url: `${dead.url}/never` },
      ],
    };
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));

    // polls every 40 ms (bars come every 150 ms): at 5 ms the request weight reached the replay exchange's
    // per-minute limit within the test, and the runner rightly held its calls until the minute rolled over
    const run = quantlab(['run', p.name, '--paper', '--experiments', root, '--url', ex.url, '--json', '--poll-ms', '40'], { env: SECRETS });
    children.push(run);
    const events = () => run.out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => events().some((e) => e.event === 'start') || run.proc.exitCode !== null, 'the runner to start', 60_000, 20);
    ex.run(150); // then the market moves: one bar every 150 ms
    const tail = () => `; the run printed:\n${[...run.out.filter((l) => !l.includes('"event":"bar"')).slice(-15), ...run.err.slice(-5)].join('\n')}`;
    await waitFor(() => events().some((e) => e.event === 'alert-sent' && e.rule === 'daily-summary' && String(e.channel).startsWith('email')) || run.proc.exitCode !== null, 'a daily summary by email', 120_000, 50).catch((e: Error) => {
      throw new Error(e.message + tail());
    });
    await waitFor(() => events().filter((e) => e.event === 'trade-closed').length >= 2, 'two closed trades', 60_000, 50);
    await waitFor(() => events().some((e) => e.event === 'alert-failed' && String(e.channel).includes(new URL(dead.url).port)), 'the dead channel to be given up', 30_000, 50);
    run.proc.kill('SIGINT');
    expect(await run.exited, [...run.out, ...run.err].slice(-20).join('\n')).toBe(0);
    const ev = events();

    // the trading went on at the exchange's pace while the dead channel hung
    const barsDone = ev.filter((e) => e.event === 'bar').length;
    expect(barsDone).toBeGreaterThan(20);
    expect(ev.filter((e) => e.event === 'stop' && e.kind === 'error')).toEqual([]);

    // webhook: signed, retried after the 500, one message per alert
    const posts = hook.got.filter((g) => g.path === '/quantlab');
    expect(posts.length).toBeGreaterThan(3);
    for (const g of posts) expect(g.headers['x-quantlab-signature']).toBe(`sha256=${createHmac('sha256', SECRETS.QUANTLAB_WEBHOOK_SECRET).update(g.body).digest('hex')}`);
    const bodies = posts.map((g) => JSON.parse(g.body) as { rule: string; title: string; fields: Record<string, unknown> });
    const trade = bodies.find((b) => b.rule === 'trade-closed')!;
    expect(trade.title).toMatch(new RegExp(`^${p.name}: (long|short) trade closed [+-]?\\d+\\.\\d\\d USDT$`));
    const closed = ev.find((e) => e.event === 'trade-closed')!;
    expect(bodies.find((b) => b.rule === 'trade-closed' && b.fields.entry === closed.entry)!.fields.pnl).toBe(closed.pnl);
    expect(bodies.some((b) => b.rule === 'order-filled')).toBe(true);
    const daily = bodies.find((b) => b.rule === 'daily-summary')!;
    expect(daily.fields.date).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(new Set(bodies.map((b) => `${b.rule}:${b.title}:${JSON.stringify(b.fields)}`)).size).toBe(bodies.length - (posts.length - new Set(posts.map((g) => g.body)).size));

    // Telegram: the bot API's path and body; the token only in the path, as the API wants it
    expect(tg.got.length).toBeGreaterThan(3);
    for (const g of tg.got) {
      expect(g.path).toBe(`/bot${SECRETS.QUANTLAB_TELEGRAM_TOKEN}/sendMessage`);
      const m = JSON.parse(g.body) as { chat_id: string; text: string };
      expect(m.chat_id).toBe('4242');
      expect(secretIn(m.text)).toBeUndefined();
    }

    // email, through a login
    const summary = mail.mails.find((m) => /Subject: \[quantlab\] .* \d{4}-\d\d-\d\d [+-]?\d/.test(m.data));
    expect(summary, mail.mails.map((m) => m.data.split('\n').find((l) => l.startsWith('Subject'))).join('\n')).toBeDefined();
    expect(summary!.to).toEqual(['me@quantlab.test']);

    // no secret in any message, the log file, or what the command printed
    for (const text of [...hook.got.map((g) => g.body), ...tg.got.map((g) => g.body), ...mail.mails.map((m) => m.data), readFileSync(join(p.dir, 'paper.log.jsonl'), 'utf8'), run.out.join('\n'), run.err.join('\n')]) {
      expect(secretIn(text)).toBeUndefined();
    }
  });

  it('a secret variable that is not set stops the start with a clear error naming it (exit 2, no stack trace)', { timeout: 60_000 }, async () => {
    const bars = await futuresWindow(120);
    const root = tempDir('alerts-env');
    const p = await promotedFixture(root, undefined, { bars });
    const cfgPath = join(p.dir, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.alerts = { channels: [{ type: 'telegram', chatId: '1', tokenEnv: 'QUANTLAB_TG_NOT_SET' }] };
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const c = quantlab(['run', p.name, '--paper', '--experiments', root]);
    children.push(c);
    expect(await c.exited).toBe(2);
    const said = [...c.out, ...c.err].join('\n');
    expect(said).toMatch(/error \[BAD_CONFIG\]: alerts: the Telegram channel needs \$QUANTLAB_TG_NOT_SET set/);
    expect(hasStack(said)).toBe(false);
  });
});

describe('the dispatcher', () => {
  const event = (n: number) => ({ event: 'order-filled', at: '2024-01-01T00:00:00Z', clientOrderId: `id-${n}`, side: 'buy', amount: 0.1, price: 40_000 + n, fee: 2 });

  it('de-duplicates within dedupSeconds, rate-limits per channel and says how many it dropped', async () => {
    const hook = await receiver();
    let now = 1_000_000;
    const reports: AlertReport[] = [];
    const d = new AlertDispatcher({ channels: [{ type: 'webhook', url: `${hook.url}/x` }], dedupSeconds: 60, maxPerMinute: 2 }, { name: 's', clock: () => now, report: (r) => reports.push(r) });
    const t0 = performance.now();
    d.onEvent(event(1));
    d.onEvent(event(1)); // the same fill again: dropped as a duplicate
    d.onEvent(event(2));
    d.onEvent(event(3)); // third in the minute: over the limit
    // decides and queues only: nothing was delivered while onEvent ran (sending needs the event loop)
    expect(hook.got).toHaveLength(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    await d.flush();
    expect(hook.got.map((g) => (JSON.parse(g.body) as { fields: { clientOrderId: string } }).fields.clientOrderId)).toEqual(['id-1', 'id-2']);
    expect(reports.filter((r) => r.event === 'alert-dropped')).toHaveLength(1);
    now += 61_000;
    d.onEvent(event(1)); // a minute later: no longer a duplicate, and the drop is reported in it
    await d.flush();
    const last = JSON.parse(hook.got.at(-1)!.body) as { text: string };
    expect(last.text).toMatch(/\(1 earlier alert dropped by the rate limit\)/);
    await d.close();
  });

  it('retries a failing channel with backoff, then gives up and reports it; the others still get the message', async () => {
    const bad = await receiver({ fail: 10 });
    const good = await receiver();
    const reports: AlertReport[] = [];
    const d = new AlertDispatcher({ channels: [{ type: 'webhook', url: `${bad.url}/a` }, { type: 'webhook', url: `${good.url}/b` }] }, { name: 's', attempts: 3, backoffMs: 20, report: (r) => reports.push(r) });
    const t0 = Date.now();
    d.onEvent(event(9));
    await d.flush();
    expect(bad.got).toHaveLength(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(20 + 40);
    expect(good.got).toHaveLength(1);
    expect(reports.find((r) => r.event === 'alert-failed')).toMatchObject({ attempts: 3, reason: expect.stringMatching(/HTTP 500/) as unknown });
    await d.close();
  });

  it('config errors name the field, what was expected and what was found', () => {
    expect(alertsProblems({ channels: [] })).toEqual(['alerts.channels: expected a non-empty list of { type: webhook | telegram | email, … }, found []']);
    const p = alertsProblems({ rules: ['fills'], channels: [{ type: 'telegram', chatId: '1', tokenEnv: '123:abc' }, { type: 'email', host: 'h', port: 0, from: 'x', to: [] }, { type: 'sms' }], extra: 1 });
    expect(p).toContain('alerts.extra: expected one of rules, channels, dedupSeconds, maxPerMinute, timeoutMs, attempts, found "an unknown field"');
    expect(p).toContain(`alerts.rules[0]: expected one of order-filled, trade-closed, risk, kill-switch, error, restart, stale-data, mismatch, daily-summary, found "fills"`);
    expect(p).toContain('alerts.channels[0].tokenEnv: expected the NAME of an environment variable (secrets never go in the config), found "123:abc"');
    expect(p).toContain('alerts.channels[1].port: expected a port in 1..65535, found 0');
    expect(p).toContain("alerts.channels[2].type: expected 'webhook', 'telegram' or 'email', found \"sms\"");
    expect(() => checkConfig({ ...futuresConfig('http://127.0.0.1:9'), alerts: { channels: [{ type: 'webhook', url: 'ftp://x' }] } } as never)).toThrow(/alerts\.channels\[0\]\.url: expected an http\(s\) URL, found "ftp:\/\/x"/);
  });
});
