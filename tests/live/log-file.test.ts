/**
 * The runner's JSON-lines log: levels by event kind, every line redacted, rotation by size and by UTC day
 * (the current file keeps its name; rotated files are named by day and counted; the oldest beyond `keep`
 * are deleted), and nothing lost across a rotation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLog, levelOf } from '../../lib/live/log-file';
import { tempDir } from '../helpers/runner';

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('JsonLog', () => {
  it('gives each event a level and redacts every line', () => {
    expect(levelOf({ event: 'bar' })).toBe('info');
    expect(levelOf({ event: 'risk' })).toBe('warn');
    expect(levelOf({ event: 'stop', kind: 'error' })).toBe('error');
    expect(levelOf({ event: 'stop', kind: 'signal' })).toBe('info');
    expect(levelOf({ event: 'position-mismatch' })).toBe('error');
    const dir = tempDir('log');
    const log = new JsonLog(join(dir, 'paper.log.jsonl'), { redact: (s) => s.split('s3cr3t-key').join('[redacted]') });
    log.write({ event: 'poll-failed', message: 'auth failed for s3cr3t-key' });
    const [l] = lines(join(dir, 'paper.log.jsonl'));
    expect(l).toEqual({ level: 'warn', event: 'poll-failed', message: 'auth failed for [redacted]' });
  });

  it('rotates past maxBytes and at a new UTC day, keeps the newest files, loses no line', () => {
    const dir = tempDir('log-rotate');
    const path = join(dir, 'live.log.jsonl');
    let now = Date.parse('2026-12-01T22:00:00Z');
    const log = new JsonLog(path, { maxBytes: 2000, keep: 3, clock: () => now });
    let written = 0;
    for (let i = 0; i < 60; i++) {
      log.write({ event: 'bar', n: i, pad: 'x'.repeat(80) });
      written++;
      if (i === 29) now = Date.parse('2026-12-02T00:00:05Z'); // midnight: the next line starts a new file
    }
    const files = readdirSync(dir).sort();
    expect(files).toContain('live.log.jsonl');
    const rotated = files.filter((f) => f !== 'live.log.jsonl');
    expect(rotated.length).toBe(3); // keep: 3
    for (const f of rotated) expect(f).toMatch(/^live\.log\.2026-12-0[12](-\d+)?\.jsonl$/);
    expect(rotated.some((f) => f.startsWith('live.log.2026-12-02'))).toBe(true);
    // the current file starts after a rotation and stays under the limit
    expect(readFileSync(path).length).toBeLessThanOrEqual(2000);
    const kept = [path, ...rotated.map((f) => join(dir, f))].flatMap(lines).map((l) => l.n as number).sort((a, b) => a - b);
    // the newest lines are all there, in one piece, none twice
    expect(new Set(kept).size).toBe(kept.length);
    expect(kept.at(-1)).toBe(written - 1);
    for (let i = 1; i < kept.length; i++) expect(kept[i]! - kept[i - 1]!).toBe(1);
    // the day boundary: line 29 is in a 2026-12-01 file or dropped with it, line 30 never is
    for (const f of rotated.filter((x) => x.includes('2026-12-01'))) expect(lines(join(dir, f)).every((l) => (l.n as number) < 30)).toBe(true);
  });
});
