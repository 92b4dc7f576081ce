import { describe, expect, it } from 'vitest';
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
});
