/** The OpenAPI 3.0 document of the REST API (GET /api/openapi.json). */

const strategyParam = { name: 'strategy', in: 'query', required: false, schema: { type: 'string' }, description: 'promoted folder name (default: the only one, or the first)' };
const pageParams = [
  strategyParam,
  { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
  { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  { name: 'sort', in: 'query', schema: { type: 'string' }, description: 'a row field' },
  { name: 'dir', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
];
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const errors = { '401': json('missing or wrong bearer token'), '404': json('unknown strategy') };

const get = (summary: string, parameters: unknown[] = [strategyParam]) => ({ get: { summary, parameters, responses: { '200': json(summary), ...errors } } });
const post = (summary: string) => ({
  post: {
    summary,
    parameters: [strategyParam],
    requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { by: { type: 'string', description: 'who asks (recorded)' } } } } } },
    responses: { '200': json('applied; the runner snapshot after it'), '409': json('no runner in this process (read-only dashboard) or the runner has stopped'), ...errors },
  },
});

export const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'quantlab runner API', version: '1', description: 'Status and control of promoted strategies. Every /api route needs `Authorization: Bearer <token>` (the token file is printed at start).' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearer: [] }],
  paths: {
    '/api/strategies': get('the strategies this server shows', []),
    '/api/status': get('mode, status, last bar, equity, PnL, drawdown, position, open orders, risk state'),
    '/api/positions': get('open positions'),
    '/api/orders': get('orders, paged and sorted', pageParams),
    '/api/trades': get('round trips, paged and sorted', pageParams),
    '/api/equity': get('equity and drawdown per bar', [strategyParam, { name: 'since', in: 'query', schema: { type: 'integer' }, description: 'epoch ms, exclusive' }]),
    '/api/logs': get('the log tail', [strategyParam, { name: 'n', in: 'query', schema: { type: 'integer' } }]),
    '/api/config': get('config.json and validation.json'),
    '/api/reconcile': get('the session against a backtest of the same bars: summary, notes, text table, both equity curves'),
    '/api/events': get('server-sent events: `update` with the status each time a bar or control lands'),
    '/api/pause': post('no new orders from the next bar on; positions and stops stay'),
    '/api/resume': post('orders again'),
    '/api/flatten': post('close the position now through the normal order path'),
    '/api/stop': post('kill switch: flatten, then stop; a restart needs --reset-kill-switch'),
  },
} as const;
