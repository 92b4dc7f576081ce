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

  it('says which file it could not open', () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    expect(() => openStorage(`sqlite:${notADir}/studies.db`)).toThrow(/storage sqlite:.*plain-file\/studies.db: expected a folder at .*plain-file, found a file/);
    expect(() => openStorage('sqlite:/proc/quantlab-nope/studies.db')).toThrow(/storage sqlite:\/proc\/quantlab-nope\/studies.db: cannot write \/proc\/quantlab-nope \(ENOENT/);
  });
});
