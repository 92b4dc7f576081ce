import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../lib/optimizer/open';
import { PostgresStorage } from '../../lib/optimizer/storage-postgres';
import { findPgBin, freePort, startPg, type PgServer } from './pg-server';
import { storageSuite } from './storage-suite';

let pg: PgServer;
beforeAll(async () => {
  pg = await startPg();
}, 120_000);
afterAll(() => pg?.stop());

storageSuite('postgres', async () => openStorage(pg.url), { shared: true });

describe('PostgreSQL storage', () => {
  it('is what postgres:// and postgresql:// URLs open; the URL it reports hides the password', async () => {
    const s = openStorage('postgresql://me:secret@127.0.0.1:1/db');
    expect(s).toBeInstanceOf(PostgresStorage);
    expect(s.url).toBe('postgresql://me:***@127.0.0.1:1/db');
    await s.close();
  });

  it('the test server helper fails loudly (no skip) when the PostgreSQL binaries are missing', () => {
    expect(() => findPgBin(['/nonexistent/bin'])).toThrow(/PostgreSQL server binaries not found .*apt-get install -y postgresql/);
  });

  it('names the storage when it cannot connect', async () => {
    const port = await freePort();
    const s = openStorage(`postgres://me:secret@127.0.0.1:${port}/db`);
    await expect(s.getStudy('x')).rejects.toThrow(new RegExp(`storage postgres://me:\\*\\*\\*@127.0.0.1:${port}/db: cannot connect \\(connection refused\\)`));
    await s.close();
  });
});
