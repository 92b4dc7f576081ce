/**
 * The thread behind `PostgresStateStore`: one `pg` connection (so a transaction and the runner's advisory lock
 * live on one session), answering one request at a time. Each answer is posted on the store's port and then
 * signalled through the shared flag, which the store's thread waits on with `Atomics.wait` — that is how a
 * synchronous interface sits on an asynchronous driver. Kept as plain JavaScript source run with
 * `new Worker(source, { eval: true })`, so it needs no TypeScript loader in the thread.
 */
export const STATE_WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
let client;
let broken;
const reply = (m) => {
  port.postMessage(m);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
async function handle(m) {
  try {
    if (broken) throw broken;
    if (m.op === 'connect') {
      const { Client } = require(workerData.pgPath);
      client = new Client({ connectionString: m.url, connectionTimeoutMillis: m.timeoutMs });
      client.on('error', (e) => { broken = e; });
      await client.connect();
      reply({ ok: true, rows: [] });
    } else if (m.op === 'query') {
      const r = await client.query({ text: m.sql, values: m.params });
      reply({ ok: true, rows: r.rows });
    } else if (m.op === 'end') {
      if (client) await client.end().catch(() => undefined);
      reply({ ok: true, rows: [] });
      port.close();
    }
  } catch (e) {
    reply({ ok: false, message: String((e && e.message) || e), code: e && e.code });
  }
}
let chain = Promise.resolve();
port.on('message', (m) => { chain = chain.then(() => handle(m)); });
`;
