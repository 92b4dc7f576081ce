import { createHmac } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { QuantlabError } from '../core';
import type { AlertChannel } from './config';
import type { Alert } from './rules';

/** A channel ready to send: its secrets read from the environment once, at start. */
export interface Sender {
  /** e.g. "webhook https://hooks.example/quantlab" (never a secret). */
  label: string;
  /** the secrets this channel holds (for redaction of anything it reports). */
  secrets: string[];
  send(alert: Alert, signal: AbortSignal): Promise<void>;
  close?(): void;
}

const envOf = (env: NodeJS.ProcessEnv, name: string | undefined, what: string): string | undefined => {
  if (!name) return undefined;
  const v = env[name];
  if (!v) throw new QuantlabError('BAD_CONFIG', `alerts: ${what} needs $${name} set (secrets come from environment variables only); it is not set`);
  return v;
};

async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal });
  if (!res.ok) throw new Error(`${what} answered HTTP ${res.status}`);
  await res.arrayBuffer();
}

/** Builds the senders of an alerts block; throws BAD_CONFIG naming a missing environment variable. */
export function makeSender(c: AlertChannel, env: NodeJS.ProcessEnv): Sender {
  if (c.type === 'webhook') {
    const secret = envOf(env, c.secretEnv, `the webhook ${c.url}`);
    const origin = new URL(c.url).origin;
    return {
      label: `webhook ${origin}`,
      secrets: secret ? [secret] : [],
      async send(a, signal) {
        const body = JSON.stringify({ rule: a.rule, title: a.title, text: a.text, fields: a.fields });
        const sig: Record<string, string> = secret ? { 'x-quantlab-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` } : {};
        await post(c.url, body, sig, signal, `webhook ${origin}`);
      },
    };
  }
  if (c.type === 'telegram') {
    const token = envOf(env, c.tokenEnv, 'the Telegram channel')!;
    const base = (c.baseUrl ?? 'https://api.telegram.org').replace(/\/$/, '');
    return {
      label: `telegram ${new URL(base).origin} chat ${String(c.chatId)}`,
      secrets: [token],
      async send(a, signal) {
        await post(`${base}/bot${token}/sendMessage`, JSON.stringify({ chat_id: String(c.chatId), text: `${a.title}\n\n${a.text}`, disable_web_page_preview: true }), {}, signal, 'the Telegram API');
      },
    };
  }
  const user = envOf(env, c.userEnv, `email via ${c.host}`);
  const pass = envOf(env, c.passEnv, `email via ${c.host}`);
  const transport = createTransport({ host: c.host, port: c.port, secure: Boolean(c.secure), auth: user ? { user, pass } : undefined, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 });
  return {
    label: `email ${c.host}:${c.port} to ${c.to.join(', ')}`,
    secrets: [user, pass].filter((x): x is string => Boolean(x)),
    async send(a, signal) {
      if (signal.aborted) throw new Error('timed out');
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true }));
      await Promise.race([transport.sendMail({ from: c.from, to: c.to, subject: `[quantlab] ${a.title}`, text: `${a.title}\n\n${a.text}\n` }), aborted]);
    },
    close: () => transport.close(),
  };
}
