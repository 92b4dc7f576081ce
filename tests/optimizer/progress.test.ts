import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatProgress, progressBar } from '../../lib/optimizer/progress';
import { createStudy, type Progress } from '../../lib/optimizer/study';
import { float } from '../../lib/params';

const p = (done: number, extra: Partial<Progress> = {}): Progress => ({
  study: 's',
  done,
  total: 300,
  running: 1,
  failed: 0,
  pruned: 0,
  best: 1.23456,
  bestParams: { fast: 9 },
  elapsed: 10,
  rate: 4.2,
  last: {} as never,
  ...extra,
});

describe('progress', () => {
  it('formats bar, count, percentage, rate, best so far and eta', () => {
    expect(formatProgress(p(120), 10)).toBe('[####------] 120/300  40%  4.20 trials/s  best 1.2346 {"fast":9}  eta 43s');
    expect(formatProgress(p(300, { pruned: 4, failed: 1, best: NaN }), 4)).toBe('[####] 300/300 100%  4.20 trials/s  (4 pruned, 1 failed)');
  });

  it('on a terminal: redraws one line in place and ends it with a newline', () => {
    let out = '';
    const bar = progressBar({ stream: { write: (s: string) => (out += s), isTTY: true }, redrawMs: 0, width: 4 });
    bar(p(150));
    bar(p(300));
    bar(p(300));
    expect(out.split('\r\x1b[2K').length).toBe(3);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n').length).toBe(2);
  });

  it('elsewhere (notebooks, logs): a line at most every lineMs, and the last one', () => {
    const lines: string[] = [];
    const bar = progressBar({ stream: { write: (s: string) => lines.push(s) }, lineMs: 60_000 });
    for (let i = 1; i <= 300; i++) bar(p(i));
    expect(lines.length).toBe(2);
    expect(lines[1]).toMatch(/^s \[#+\] 300\/300 100%/);
  });

  it('plugs into study.optimize', async () => {
    const lines: string[] = [];
    const study = await createStudy({ space: { x: float(0, 1) }, sampler: 'random', seed: 1, name: 'bar' });
    await study.optimize((t) => t.params.x as number, { trials: 20, onProgress: progressBar({ stream: { write: (s: string) => lines.push(s) }, lineMs: 0 }) });
    expect(lines.length).toBe(20);
    expect(lines[19]).toMatch(/^bar \[#+\] 20\/20 100%/);
  });

  afterEach(() => vi.restoreAllMocks());

  it('shows no best until a first finite one (never "best -Infinity") and no ETA from a snapshot that has barely started', () => {
    expect(formatProgress(p(3, { best: -Infinity, elapsed: 0.5, rate: 6 }), 4)).toBe('[----] 3/300   1%  6.00 trials/s');
    expect(formatProgress(p(3, { best: 0.5, elapsed: 0.5, rate: 6 }), 4)).toBe('[----] 3/300   1%  6.00 trials/s  best 0.5000 {"fast":9}');
    expect(formatProgress(p(30, { best: 0.5, elapsed: 5, rate: 6 }), 4)).toMatch(/ eta 45s$/);
    expect(formatProgress(p(30), 4, { eta: null })).not.toMatch(/eta/);
  });

  it('measures the ETA from the first finished trial on and holds it until a few trials have run (a slow first trial does not make "12m")', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const lines: string[] = [];
    const bar = progressBar({ display: { text: (s) => lines.push(s) }, redrawMs: 0, width: 4 });
    const total = 100;
    // the first trial took 6 s (warm-up); then 20 trials/s: the whole run takes about 11 s
    const step = (done: number, t: number) => {
      now = t * 1000;
      bar(p(done, { total, elapsed: t, rate: done / t, best: done > 1 ? 1 : -Infinity }));
    };
    step(1, 6);
    step(2, 6.05);
    step(3, 6.1);
    expect(lines.join('\n')).not.toMatch(/eta|Infinity/);
    for (let d = 4; d <= 60; d++) step(d, 6 + (d - 1) * 0.05);
    const eta = Number(/eta (\d+)s$/.exec(lines[lines.length - 1]!)![1]);
    expect(eta).toBeGreaterThanOrEqual(2);
    expect(eta).toBeLessThanOrEqual(3); // 40 trials left at 20/s; the snapshot's own rate (60 / 8.95 s) would say 6 s
    step(100, 11);
    expect(lines[lines.length - 1]).toMatch(/^s \[####\] 100\/100 100%.* best 1\.0000/);
    expect(lines[lines.length - 1]).not.toMatch(/eta/);
  });

  it('in a notebook: one display entry replaced in place, at most every redrawMs, and the last state', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const shown: string[] = [];
    const display = { text: vi.fn((s: string) => void shown.push(s)) };
    const bar = progressBar({ display, redrawMs: 500 });
    for (let i = 1; i <= 300; i++) {
      now = i * 10; // 3 s in all
      bar(p(i));
    }
    bar(p(300));
    expect(shown.length).toBeGreaterThanOrEqual(6);
    expect(shown.length).toBeLessThanOrEqual(8);
    expect(shown[shown.length - 1]).toMatch(/^s \[#+\] 300\/300 100%/);
  });
});
