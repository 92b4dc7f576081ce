import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../lib/optimizer/open';
import { SqliteStorage } from '../../lib/optimizer/storage-sqlite';
import { storageSuite } from './storage-suite';

const dir = mkdtempSync(join(tmpdir(), 'ql-sqlite-'));
const file = join(dir, 'sub', 'studies.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storageSuite('sqlite', async () => openStorage(`sqlite:${file}`), { shared: true });

describe('openStorage', () => {
  it('opens sqlite:PATH (creating the folder) and sqlite:///abs/path', async () => {
    const a = openStorage(`sqlite:${file}`);
    expect(a).toBeInstanceOf(SqliteStorage);
    expect((a as SqliteStorage).path).toBe(file);
    const b = openStorage(`sqlite://${file}`);
    expect((b as SqliteStorage).path).toBe(file);
    await a.close();
    await b.close();
  });

  it('names an unknown scheme and the accepted ones', () => {
    expect(() => openStorage('redis://localhost')).toThrow(
      /storage URL "redis:\/\/localhost": unknown scheme 'redis:'; expected 'memory:', 'sqlite:PATH' or 'postgres:\/\/user@host:port\/db'/,
    );
    expect(() => openStorage('studies.db')).toThrow(/unknown scheme \(none\)/);
    expect(() => openStorage('sqlite:')).toThrow(/expected a file path after 'sqlite:'/);
  });

  it('processes creating one new file at the same moment all open it (the schema and its column check are one transaction)', async () => {
    const fixture = join(__dirname, 'fixtures', 'open-sqlite.ts');
    const results: string[] = [];
    for (let round = 0; round < 5; round++) {
      const path = join(dir, `race-${round}.db`);
      const at = Date.now() + 1500; // after the four have loaded
      const outs = await Promise.all(
        Array.from({ length: 4 }, () => new Promise<string>((done) => execFile(process.execPath, ['--require', require.resolve('tsx/cjs'), fixture, path, String(at)], { encoding: 'utf8', timeout: 60_000 }, (_e, out, err) => done(`${out}${err}`.trim())))),
      );
      results.push(...outs);
    }
    expect(results).toEqual(Array.from({ length: 20 }, () => 'ok'));
  }, 120_000);

  it('says which file it could not open', () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    expect(() => openStorage(`sqlite:${notADir}/studies.db`)).toThrow(/storage sqlite:.*plain-file\/studies.db: expected a folder at .*plain-file, found a file/);
    expect(() => openStorage('sqlite:/proc/quantlab-nope/studies.db')).toThrow(/storage sqlite:\/proc\/quantlab-nope\/studies.db: cannot write \/proc\/quantlab-nope \(ENOENT/);
  });
});
