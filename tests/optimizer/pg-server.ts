import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away PostgreSQL server on loopback for tests: initdb in a temp folder, pg_ctl start on a free port,
 * trust authentication. As root, the server runs as the 'postgres' user (initdb refuses root). When the
 * binaries are missing this throws — the tests that need PostgreSQL fail, they do not skip.
 */
export interface PgServer {
  url: string;
  port: number;
  stop(): void;
}

export function findPgBin(candidates: (string | undefined)[] = defaultCandidates()): string {
  const bin = candidates.find((d) => d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries not found (looked for initdb and pg_ctl in $QUANTLAB_PG_BIN and /usr/lib/postgresql/*/bin). ' +
        'Install them with `apt-get install -y postgresql` (npm run setup does this); the PostgreSQL storage tests need a real server.',
    );
  }
  return bin;
}

function defaultCandidates(): (string | undefined)[] {
  const out = [process.env.QUANTLAB_PG_BIN, '/usr/lib/postgresql/15/bin'];
  if (existsSync('/usr/lib/postgresql')) for (const v of readdirSync('/usr/lib/postgresql').sort().reverse()) out.push(`/usr/lib/postgresql/${v}/bin`);
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPg(): Promise<PgServer> {
  const bin = findPgBin();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ql-pg-'));
  const data = join(dir, 'data');
  let uid = -1;
  let gid = -1;
  if (root) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const full = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
    const r = spawnSync(full[0], full[1], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  };
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  let port = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    try {
      run(join(bin, 'pg_ctl'), [
        '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60',
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`,
        'start',
      ]);
      break;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  const stop = () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}
