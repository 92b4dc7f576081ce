import { createHmac, timingSafeEqual } from 'node:crypto';
import { accountId, type AccountConfig } from './accounts';
import { errors } from './errors';

/**
 * Signed-endpoint checks as Binance does them: the X-MBX-APIKEY header names a registered key, the
 * `signature` parameter is the hex HMAC-SHA256 (keyed by the secret) of the query string followed
 * directly by the request body with the signature parameter left out, and `timestamp` lies within
 * `recvWindow` (default 5000 ms, at most 60000) of the server's time. Secrets stay in memory only.
 *
 * The server's time is the wall clock or the replay clock (a client synchronised with `/time`, as ccxt's
 * `adjustForTimeDifference` does, stamps with the replay clock). A stepped replay clock can stand still for
 * as long as a test likes, so a request stamped with it would stay fresh forever. Therefore the wall clock
 * bounds every request as on Binance: the same signed request (same signature) is accepted again only within
 * `recvWindow` of wall time after it was first received, and refused (-1021) after that, even while its stamp
 * is still fresh on a standing replay clock. A signature is remembered until its stamp is stale on both
 * clocks (both only move forward); beyond 200,000 remembered signatures the oldest are dropped.
 */
export class KeyRing {
  private readonly secrets = new Map<string, string>();
  /** signature -> [timestamp, recvWindow, wall time first received] of signed requests already accepted. */
  private readonly seen = new Map<string, [number, number, number]>();

  constructor(accounts: AccountConfig[] = []) {
    for (const a of accounts) this.add(a);
  }

  add(a: Pick<AccountConfig, 'apiKey' | 'secret'>): string {
    const id = accountId(a.apiKey);
    this.secrets.set(id, a.secret);
    return id;
  }

  /** Checks a signed request; returns the account id or throws the BinanceError Binance would send. */
  verify(req: SignedRequest): string {
    const key = req.apiKey;
    if (key === undefined || key.trim() === '') throw errors.badKeyFormat();
    const id = accountId(key);
    const secret = this.secrets.get(id);
    if (secret === undefined) throw errors.badKey();
    const q = stripSignature(req.query);
    const b = stripSignature(req.body);
    const sig = q.signature ?? b.signature;
    if (sig === undefined || sig === '') throw errors.mandatory('signature');
    const want = createHmac('sha256', secret).update(q.rest + b.rest).digest('hex');
    const got = sig.toLowerCase();
    if (got.length !== want.length || !timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
      throw errors.badSignature('expected the hex HMAC-SHA256 of the query string followed by the body, keyed by the secret of this API key');
    }
    const params = new URLSearchParams(`${q.rest}&${b.rest}`);
    const tsText = params.get('timestamp');
    if (tsText === null || tsText === '') throw errors.mandatory('timestamp');
    const ts = Number(tsText);
    const rwText = params.get('recvWindow');
    const recvWindow = rwText === null ? 5000 : Number(rwText);
    if (!(recvWindow > 0 && recvWindow <= 60_000)) throw errors.recvWindow(String(rwText));
    // the request may be stamped with the wall clock or with the replay clock (ccxt's adjustForTimeDifference)
    if (!Number.isFinite(ts) || !req.serverTimes.some((server) => isFresh(ts, recvWindow, server))) {
      throw errors.timestamp(`timestamp ${tsText} with recvWindow ${recvWindow}: server times are ${req.serverTimes.join(' / ')}`);
    }
    const wall = req.serverTimes[0]!;
    const first = this.seen.get(got);
    if (first && wall - first[2] > recvWindow) throw errors.replayed(recvWindow);
    if (!first) this.remember(got, ts, recvWindow, req.serverTimes);
    return id;
  }

  private remember(sig: string, ts: number, recvWindow: number, serverTimes: number[]): void {
    this.seen.set(sig, [ts, recvWindow, serverTimes[0]!]);
    if (this.seen.size % 1024 !== 0) return;
    for (const [k, [t, w]] of this.seen) if (!serverTimes.some((server) => server - t <= w)) this.seen.delete(k);
    for (const k of this.seen.keys()) {
      if (this.seen.size <= 200_000) break;
      this.seen.delete(k);
    }
  }
}

/** Binance's rule: at most 1 s ahead of the server, at most recvWindow behind it. */
const isFresh = (ts: number, recvWindow: number, server: number): boolean => ts < server + 1000 && server - ts <= recvWindow;

export interface SignedRequest {
  apiKey: string | undefined;
  /** Raw query string (without '?'). */
  query: string;
  /** Raw form body. */
  body: string;
  /** The times the timestamp may be checked against: the wall clock first, then the replay clock. */
  serverTimes: number[];
}

/** Splits off the `signature=...` pair of a raw parameter string, keeping the rest byte for byte. */
function stripSignature(raw: string): { rest: string; signature?: string } {
  if (!raw) return { rest: '' };
  const parts = raw.split('&');
  const keep: string[] = [];
  let signature: string | undefined;
  for (const p of parts) {
    if (p.startsWith('signature=')) {
      try {
        signature = decodeURIComponent(p.slice('signature='.length));
      } catch {
        throw errors.badSignature(`expected a hex signature, found a malformed percent-encoding '${p.slice(10, 80)}'`);
      }
    }
    else keep.push(p);
  }
  return { rest: keep.join('&'), signature };
}
