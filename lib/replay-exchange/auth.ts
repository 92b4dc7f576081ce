import { createHmac, timingSafeEqual } from 'node:crypto';
import { accountId, type AccountConfig } from './accounts';
import { errors } from './errors';

/**
 * Signed-endpoint checks as Binance does them: the X-MBX-APIKEY header names a registered key, the
 * `signature` parameter is the hex HMAC-SHA256 (keyed by the secret) of the query string followed
 * directly by the request body with the signature parameter left out, and `timestamp` lies within
 * `recvWindow` (default 5000 ms, at most 60000) of the server's time. Secrets stay in memory only.
 */
export class KeyRing {
  private readonly secrets = new Map<string, string>();

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
    const fresh = (server: number) => ts < server + 1000 && server - ts <= recvWindow;
    if (!Number.isFinite(ts) || !req.serverTimes.some(fresh)) {
      throw errors.timestamp(`timestamp ${tsText} with recvWindow ${recvWindow}: server times are ${req.serverTimes.join(' / ')}`);
    }
    return id;
  }
}

export interface SignedRequest {
  apiKey: string | undefined;
  /** Raw query string (without '?'). */
  query: string;
  /** Raw form body. */
  body: string;
  /** The times the timestamp may be checked against (wall clock, replay clock). */
  serverTimes: number[];
}

/** Splits off the `signature=...` pair of a raw parameter string, keeping the rest byte for byte. */
function stripSignature(raw: string): { rest: string; signature?: string } {
  if (!raw) return { rest: '' };
  const parts = raw.split('&');
  const keep: string[] = [];
  let signature: string | undefined;
  for (const p of parts) {
    if (p.startsWith('signature=')) signature = decodeURIComponent(p.slice('signature='.length));
    else keep.push(p);
  }
  return { rest: keep.join('&'), signature };
}
