/**
 * The dashboard from the command line: `quantlab run NAME --paper --dashboard 127.0.0.1:0` serves the runner's
 * API while it trades (the token file named on stdout, the token itself never printed or logged), and
 * `quantlab dashboard` serves every promoted strategy read-only (controls answer 409). A non-loopback host
 * is refused without --allow-remote; a bad --dashboard value is a clear error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { hasStack, quantlab, type CliChild } from '../live/cli-child';
import { futuresWindow, promotedFixture, tempDir, waitFor } from '../helpers/runner';

const servers: ReplayExchange[] = [];
const children: CliChild[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});
const W = 60;


const URL_LINE = /^dashboard(?: \(read-only[^)]*\))?: (http:\/\/127\.0\.0\.1:\d+\/) \(token in (\S+);/;

describe('quantlab run --dashboard and quantlab dashboard', () => {
  it('serves the running strategy; the token only in its 0600 file; then the read-only dashboard over the folder', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(120);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = tempDir('ops-cli');
    const p = await promotedFixture(root, ex.url);
    const run = quantlab(['run', p.name, '--paper', '--experiments', root, '--poll-ms', '5', '--dashboard', '127.0.0.1:0']);
    children.push(run);
    await waitFor(() => run.out.some((l) => URL_LINE.test(l)) || run.proc.exitCode !== null, 'the dashboard line', 60_000, 10);
    const m = URL_LINE.exec(run.out.find((l) => URL_LINE.test(l)) ?? '');
    expect(m, [...run.out, ...run.err].join('\n')).not.toBeNull();
    const [, url, tokenFile] = m!;
    expect(tokenFile).toBe(join(p.dir, 'dashboard.token'));
    const token = readFileSync(tokenFile!, 'utf8').trim();
    const status = await fetch(`${url}api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ name: p.name, mode: 'paper', controls: true });
    expect((await fetch(`${url}api/status`)).status).toBe(401);
    const paused = await fetch(`${url}api/pause`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{"by":"cli-test"}' });
    expect(paused.status).toBe(200);
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const printed = [...run.out, ...run.err].join('\n');
    expect(printed).not.toContain(token);
    expect(readFileSync(join(p.dir, 'paper.log.jsonl'), 'utf8')).not.toContain(token);
    expect(readFileSync(join(p.dir, 'paper.log.jsonl'), 'utf8')).toContain('"event":"control"');

    const dash = quantlab(['dashboard', '--experiments', root, '--listen', '127.0.0.1:0']);
    children.push(dash);
    await waitFor(() => dash.out.some((l) => URL_LINE.test(l)) || dash.proc.exitCode !== null, 'the read-only dashboard line', 60_000, 10);
    const d = URL_LINE.exec(dash.out.find((l) => URL_LINE.test(l)) ?? '');
    expect(d, [...dash.out, ...dash.err].join('\n')).not.toBeNull();
    const t2 = readFileSync(d![2]!, 'utf8').trim();
    const auth = { authorization: `Bearer ${t2}` };
    const st = (await (await fetch(`${d![1]}api/status`, { headers: auth })).json()) as { status: string; paused: { by: string } | null; controls: boolean };
    expect(st).toMatchObject({ status: 'stopped', controls: false }); // SIGINT stopped it in order
    expect(st.paused?.by).toBe('cli-test');
    expect((await fetch(`${d![1]}api/stop`, { method: 'POST', headers: auth })).status).toBe(409);
    expect((await fetch(`${d![1]}health`)).status).toBe(200);
    dash.proc.kill('SIGINT');
    await dash.exited;
  });

  it('refuses a non-loopback host without --allow-remote and a malformed --dashboard, without a stack trace', { timeout: 60_000 }, async () => {
    const root = tempDir('ops-cli-bad');
    for (const args of [
      ['dashboard', '--experiments', root, '--listen', '0.0.0.0:8080'],
      ['dashboard', '--experiments', root, '--listen', 'abc'],
      ['dashboard', '--experiments', root, '--listen', '127.0.0.1:70000'],
      ['dashboard', '--experiments', root, '--listen', '127.0.0.1:0'],
    ]) {
      const c = quantlab(args);
      children.push(c);
      const code = await c.exited;
      const said = [...c.out, ...c.err].join('\n');
      expect(code, said).toBe(1);
      expect(said).toMatch(/^error \[(BAD_ARGUMENT|NOT_FOUND)\]: /m);
      expect(hasStack(said)).toBe(false);
    }
  });
});
