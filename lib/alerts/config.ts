/**
 * The `alerts` block of a promoted strategy's config.json: which rules fire and where they go. Secrets (the
 * webhook's HMAC key, the Telegram bot token, the SMTP password) are named by environment variable, never
 * written in the file.
 *
 *   "alerts": {
 *     "rules": ["order-filled", "trade-closed", "risk", "kill-switch", "error", "restart", "stale-data", "mismatch", "daily-summary"],
 *     "channels": [
 *       { "type": "webhook", "url": "https://hooks.example/quantlab", "secretEnv": "QUANTLAB_WEBHOOK_SECRET" },
 *       { "type": "telegram", "chatId": "123456", "tokenEnv": "QUANTLAB_TELEGRAM_TOKEN", "baseUrl": "https://api.telegram.org" },
 *       { "type": "email", "host": "smtp.example", "port": 587, "from": "bot@example", "to": ["me@example"], "userEnv": "QUANTLAB_SMTP_USER", "passEnv": "QUANTLAB_SMTP_PASS" }
 *     ],
 *     "dedupSeconds": 300, "maxPerMinute": 20, "timeoutMs": 10000, "attempts": 4
 *   }
 */

export const ALERT_RULES = ['order-filled', 'trade-closed', 'risk', 'kill-switch', 'error', 'restart', 'stale-data', 'mismatch', 'daily-summary'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface WebhookChannel {
  type: 'webhook';
  url: string;
  /** env var holding the HMAC-SHA256 key; the body's signature goes in `X-Quantlab-Signature: sha256=<hex>`. */
  secretEnv?: string;
}

export interface TelegramChannel {
  type: 'telegram';
  chatId: string;
  tokenEnv: string;
  /** default https://api.telegram.org (a local stand-in in tests). */
  baseUrl?: string;
}

export interface EmailChannel {
  type: 'email';
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. Default false. */
  secure?: boolean;
  from: string;
  to: string[];
  userEnv?: string;
  passEnv?: string;
}

export type AlertChannel = WebhookChannel | TelegramChannel | EmailChannel;

export interface AlertsConfig {
  /** default: every rule. */
  rules?: AlertRule[];
  channels: AlertChannel[];
  /** the same alert (rule + subject) again within this many seconds is dropped (default 300). */
  dedupSeconds?: number;
  /** at most this many messages a minute per channel; more are dropped and counted in the next one (default 20). */
  maxPerMinute?: number;
  /** per-attempt timeout in ms (default 10000) and attempts per message (default 4, backoff 0.5, 1, 2 s). */
  timeoutMs?: number;
  attempts?: number;
}

const ENV = /^[A-Z_][A-Z0-9_]*$/;

/** Problems with an `alerts` block, each naming the field, what was expected and what was found. */
export function alertsProblems(raw: unknown): string[] {
  const out: string[] = [];
  const bad = (field: string, expected: string, found: unknown) => out.push(`alerts.${field}: expected ${expected}, found ${JSON.stringify(found)}`);
  if (raw === undefined) return out;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [`alerts: expected an object { rules?, channels, dedupSeconds?, maxPerMinute? }, found ${JSON.stringify(raw)}`];
  const a = raw as Record<string, unknown>;
  const KEYS = ['rules', 'channels', 'dedupSeconds', 'maxPerMinute', 'timeoutMs', 'attempts'];
  for (const k of Object.keys(a)) if (!KEYS.includes(k)) bad(k, `one of ${KEYS.join(', ')}`, 'an unknown field');
  if (a.rules !== undefined) {
    if (!Array.isArray(a.rules)) bad('rules', `a list of ${ALERT_RULES.join(', ')}`, a.rules);
    else a.rules.forEach((r, i) => !ALERT_RULES.includes(r as AlertRule) && bad(`rules[${i}]`, `one of ${ALERT_RULES.join(', ')}`, r));
  }
  if (a.timeoutMs !== undefined && !(typeof a.timeoutMs === 'number' && a.timeoutMs > 0)) bad('timeoutMs', 'a number of ms > 0', a.timeoutMs);
  if (a.attempts !== undefined && !(Number.isInteger(a.attempts) && (a.attempts as number) >= 1 && (a.attempts as number) <= 10)) bad('attempts', 'a whole number in 1..10', a.attempts);
  for (const k of ['dedupSeconds', 'maxPerMinute'] as const) {
    const v = a[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(k, 'a number >= 0', v);
  }
  if (!Array.isArray(a.channels) || !a.channels.length) {
    bad('channels', 'a non-empty list of { type: webhook | telegram | email, … }', a.channels);
    return out;
  }
  a.channels.forEach((c: unknown, i) => {
    const f = `channels[${i}]`;
    if (!c || typeof c !== 'object') return bad(f, 'an object', c);
    const ch = c as Record<string, unknown>;
    const env = (k: string, required: boolean) => {
      if (ch[k] === undefined && !required) return;
      if (typeof ch[k] !== 'string' || !ENV.test(ch[k] as string)) bad(`${f}.${k}`, 'the NAME of an environment variable (secrets never go in the config)', ch[k]);
    };
    if (ch.type === 'webhook') {
      if (typeof ch.url !== 'string' || !/^https?:\/\/[^/]+/.test(ch.url)) bad(`${f}.url`, 'an http(s) URL', ch.url);
      env('secretEnv', false);
    } else if (ch.type === 'telegram') {
      if (typeof ch.chatId !== 'string' && typeof ch.chatId !== 'number') bad(`${f}.chatId`, 'the chat id (a string)', ch.chatId);
      env('tokenEnv', true);
      if (ch.baseUrl !== undefined && !(typeof ch.baseUrl === 'string' && /^https?:\/\/[^/]+/.test(ch.baseUrl))) bad(`${f}.baseUrl`, 'an http(s) origin', ch.baseUrl);
    } else if (ch.type === 'email') {
      if (typeof ch.host !== 'string' || !ch.host) bad(`${f}.host`, 'the SMTP host', ch.host);
      if (!(Number.isInteger(ch.port) && (ch.port as number) > 0 && (ch.port as number) < 65536)) bad(`${f}.port`, 'a port in 1..65535', ch.port);
      if (typeof ch.from !== 'string' || !ch.from.includes('@')) bad(`${f}.from`, 'an email address', ch.from);
      if (!Array.isArray(ch.to) || !ch.to.length || !ch.to.every((x) => typeof x === 'string' && x.includes('@'))) bad(`${f}.to`, 'a non-empty list of email addresses', ch.to);
      env('userEnv', false);
      env('passEnv', false);
    } else bad(`${f}.type`, "'webhook', 'telegram' or 'email'", ch.type);
  });
  return out;
}
