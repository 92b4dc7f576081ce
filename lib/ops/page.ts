/**
 * The dashboard page: one static HTML document (no token, no account data in it). Its script asks for the
 * token (or takes it once from the URL fragment `#token=…`, which browsers never send to a server, and keeps
 * it in sessionStorage), then reads the REST API with `Authorization: Bearer`, listens to /api/events for
 * new bars and controls, and draws equity and drawdown with TradingView's lightweight-charts (served from
 * /assets): a financial time-series library of 200 KB, where plotly's 3.5 MB bundle alone takes longer to
 * load than the whole first paint may (bench/dashboard.ts). The notebooks keep plotly.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>quantlab dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
 header{display:flex;gap:12px;align-items:center;padding:10px 16px;background:#1d2430;color:#fff}
 header h1{font-size:16px;margin:0 12px 0 0} select,button,input{font:inherit}
 main{padding:12px 16px;display:grid;gap:12px}
 .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
 .card{background:#fff;border-radius:6px;padding:8px 10px;box-shadow:0 1px 2px #0002}
 .card b{display:block;font-size:12px;color:#667;font-weight:500} .card span{font-size:16px}
 .controls button{margin-right:6px;padding:4px 12px;border-radius:4px;border:1px solid #889;background:#fff;cursor:pointer}
 .controls button.danger{border-color:#c33;color:#c33} .controls button:disabled{opacity:.4;cursor:default}
 section{background:#fff;border-radius:6px;padding:8px 10px;box-shadow:0 1px 2px #0002;overflow-x:auto}
 section h2{font-size:14px;margin:0 0 6px} table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
 th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap} th{cursor:pointer;background:#fafbfc;position:sticky;top:0}
 th:first-child,td:first-child{text-align:left} .pager{margin-top:6px} pre{max-height:260px;overflow:auto;margin:0;font-size:12px}
 #status-line.running{color:#187a3b} #status-line.paused{color:#a36a00} #status-line.stopped,#status-line.not-running{color:#b22}
 #login{padding:40px;text-align:center} #message{min-height:1.4em;color:#a36a00}
</style></head>
<body>
<header><h1>quantlab</h1><select id="strategy" aria-label="strategy"></select><span id="status-line"></span></header>
<div id="login" hidden><p>Paste the dashboard token (the file named when the server started):</p>
 <input id="token-input" type="password" size="48" autocomplete="off"> <button id="token-save">Open</button></div>
<main id="app" hidden>
 <div class="controls"><button id="btn-pause">Pause</button><button id="btn-resume">Resume</button>
  <button id="btn-flatten" class="danger">Flatten</button><button id="btn-stop" class="danger">Stop (kill switch)</button>
  <span id="message"></span></div>
 <div class="cards" id="cards"></div>
 <section><h2>Equity and drawdown</h2><div id="equity-chart" style="height:380px"></div></section>
 <section><h2>Trades <small id="trades-count"></small></h2><table id="trades-table"></table><div class="pager" id="trades-pager"></div></section>
 <section><h2>Orders <small id="orders-count"></small></h2><table id="orders-table"></table><div class="pager" id="orders-pager"></div></section>
 <section><h2>Backtest vs this session <button id="btn-reconcile">Reconcile now</button></h2><div id="reconcile-chart" style="height:260px" hidden></div><pre id="reconcile"></pre></section>
 <section><h2>Log</h2><pre id="log"></pre></section>
 <section><h2>Config and validation evidence</h2><pre id="config"></pre></section>
</main>
<script src="/assets/lightweight-charts.js"></script>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem('ql-token', decodeURIComponent(m[1])); history.replaceState(null, '', location.pathname + location.search); }
  let token = sessionStorage.getItem('ql-token');
  let strategy = new URLSearchParams(location.search).get('strategy');
  const tables = { trades: { page: 1, sort: 'entryTs', dir: 'desc' }, orders: { page: 1, sort: 'barTs', dir: 'desc' } };
  let lastT = -Infinity, chart = null, eqSeries = null, ddSeries = null, refreshing = false, again = false;
  const LC = window.LightweightCharts;
  // points drawn on the equity chart, for tests and the bench to wait on
  window.__qlEquityPoints = 0;
  const sec = (t) => Math.floor(t / 1000);
  const api = async (path, init = {}) => {
    const sep = path.includes('?') ? '&' : '?';
    const r = await fetch('/api/' + path + (strategy ? sep + 'strategy=' + encodeURIComponent(strategy) : ''), { ...init, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' } });
    if (r.status === 401) { sessionStorage.removeItem('ql-token'); showLogin(); throw new Error('unauthorized'); }
    return r.json();
  };
  const fmt = (v, d = 2) => typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : (v ?? '—');
  const pct = (v) => typeof v === 'number' ? (v * 100).toFixed(2) + ' %' : '—';
  const age = (ms) => ms == null ? '' : ms < 90e3 ? Math.round(ms / 1e3) + ' s ago' : ms < 5400e3 ? Math.round(ms / 60e3) + ' min ago' : Math.round(ms / 3600e3) + ' h ago';
  function showLogin() { $('app').hidden = true; $('login').hidden = false; }
  $('token-save').onclick = () => { token = $('token-input').value.trim(); sessionStorage.setItem('ql-token', token); start(); };
  function cards(s) {
    const rows = [['Mode', s.mode], ['Status', s.status], ['Last bar', s.lastBar ? s.lastBar.time.slice(0, 16).replace('T', ' ') + ' (' + age(s.lastBar.ageMs) + ')' : '—'],
      ['Equity', fmt(s.equity)], ['PnL total', fmt(s.pnl)], ['PnL today', fmt(s.pnlToday)], ['Drawdown', pct(s.drawdown)],
      ['Position', fmt(s.position, 6) + ' ' + s.symbol], ['Open orders', s.openOrders], ['Orders', s.orders], ['Trades', s.trades],
      ['Kill switch', s.risk.killSwitch ? 'TRIPPED' : 'armed'], ['Risk limits', Object.entries(s.risk.limits || {}).map(([k, v]) => k + ' ' + v).join(', ') || 'none']];
    $('cards').innerHTML = rows.map(([k, v]) => '<div class="card"><b>' + k + '</b><span>' + String(v).replace(/</g, '&lt;') + '</span></div>').join('');
    const line = $('status-line');
    line.textContent = s.strategy + ' ' + s.symbol + ' ' + s.timeframe + ' · ' + s.status + (s.paused ? ' by ' + s.paused.by : '');
    line.className = s.status.replace(' ', '-');
    for (const id of ['btn-pause', 'btn-resume', 'btn-flatten', 'btn-stop']) $(id).disabled = !s.controls || s.status === 'stopped';
    if (s.controls) { $('btn-pause').disabled ||= Boolean(s.paused); $('btn-resume').disabled ||= !s.paused; }
  }
  function makeChart() {
    chart = LC.createChart($('equity-chart'), { autoSize: true, timeScale: { timeVisible: true, secondsVisible: false }, localization: { timeFormatter: (t) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') } });
    eqSeries = chart.addSeries(LC.LineSeries, { color: '#1f77b4', lineWidth: 2, title: 'equity', priceLineVisible: false }, 0);
    ddSeries = chart.addSeries(LC.BaselineSeries, { baseValue: { type: 'price', price: 0 }, bottomLineColor: '#d62728', bottomFillColor1: 'rgba(214,39,40,0.1)', bottomFillColor2: 'rgba(214,39,40,0.45)', title: 'drawdown %', priceLineVisible: false, priceFormat: { type: 'price', precision: 2, minMove: 0.01 } }, 1);
    const panes = chart.panes();
    if (panes[1]) panes[1].setHeight(110);
  }
  async function drawChart() {
    const pts = await api('equity?since=' + (Number.isFinite(lastT) ? lastT : ''));
    if (!chart) makeChart();
    if (!pts.length) return;
    const eq = pts.map((p) => ({ time: sec(p.t), value: p.equity }));
    const dd = pts.map((p) => ({ time: sec(p.t), value: -p.drawdown * 100 }));
    if (!Number.isFinite(lastT)) { eqSeries.setData(eq); ddSeries.setData(dd); chart.timeScale().fitContent(); }
    else {
      for (let i = 0; i < eq.length; i++) { eqSeries.update(eq[i]); ddSeries.update(dd[i]); }
      chart.timeScale().fitContent(); // the whole session stays in view as it grows
    }
    lastT = pts[pts.length - 1].t;
    window.__qlEquityPoints += pts.length;
  }
  const COLS = {
    trades: [['entryTime', 'entry'], ['exitTime', 'exit'], ['sideName', 'side'], ['size', 'size', 6], ['entryPrice', 'entry price'], ['exitPrice', 'exit price'], ['fees', 'fees'], ['pnl', 'PnL'], ['returns', 'return', 'pct'], ['exitReason', 'reason']],
    orders: [['barTime', 'bar'], ['leg', 'leg'], ['side', 'side'], ['amount', 'amount', 6], ['status', 'status'], ['reason', 'reason'], ['average', 'avg price'], ['fee', 'fee', 4], ['clientId', 'client id']],
  };
  const SORT_KEY = { entryTime: 'entryTs', exitTime: 'exitTs', sideName: 'side', barTime: 'barTs' };
  async function table(kind) {
    const t = tables[kind];
    const r = await api(kind + '?page=' + t.page + '&size=50&sort=' + t.sort + '&dir=' + t.dir);
    const cols = COLS[kind];
    const cell = (row, [k, , d]) => { const v = row[k]; return d === 'pct' ? pct(v) : typeof v === 'number' ? fmt(v, d ?? 2) : String(v ?? '').replace(/</g, '&lt;'); };
    $(kind + '-table').innerHTML = '<thead><tr>' + cols.map(([k, h]) => '<th data-k="' + (SORT_KEY[k] || k) + '">' + h + ((SORT_KEY[k] || k) === t.sort ? (t.dir === 'asc' ? ' ▲' : ' ▼') : '') + '</th>').join('') + '</tr></thead><tbody>' +
      r.rows.map((row) => '<tr>' + cols.map((c) => '<td>' + cell(row, c) + '</td>').join('') + '</tr>').join('') + '</tbody>';
    const pages = Math.max(1, Math.ceil(r.total / r.size));
    $(kind + '-count').textContent = '(' + r.total + ')';
    $(kind + '-pager').innerHTML = '<button data-p="' + (r.page - 1) + '"' + (r.page <= 1 ? ' disabled' : '') + '>‹ prev</button> page ' + r.page + ' of ' + pages + ' <button data-p="' + (r.page + 1) + '"' + (r.page >= pages ? ' disabled' : '') + '>next ›</button>';
    $(kind + '-table').querySelectorAll('th').forEach((th) => th.onclick = () => { const k = th.dataset.k; t.dir = t.sort === k && t.dir === 'desc' ? 'asc' : 'desc'; t.sort = k; t.page = 1; table(kind); });
    $(kind + '-pager').querySelectorAll('button').forEach((b) => b.onclick = () => { t.page = Number(b.dataset.p); table(kind); });
  }
  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      cards(await api('status'));
      await drawChart();
      await Promise.all([table('trades'), table('orders')]);
      const logs = await api('logs?n=100');
      $('log').textContent = logs.map((e) => JSON.stringify(e)).join('\\n');
    } catch (e) { $('message').textContent = String(e.message || e); }
    refreshing = false;
    if (again) { again = false; refresh(); }
  }
  async function events() {
    for (;;) {
      try {
        const r = await fetch('/api/events', { headers: { authorization: 'Bearer ' + token } });
        const reader = r.body.getReader(); const dec = new TextDecoder(); let buf = '';
        for (;;) {
          const { value, done } = await reader.read(); if (done) break;
          buf += dec.decode(value, { stream: true });
          let i; while ((i = buf.indexOf('\\n\\n')) >= 0) { const msg = buf.slice(0, i); buf = buf.slice(i + 2); if (msg.startsWith('event: update')) refresh(); }
        }
      } catch (e) { /* server gone: retry below */ }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  async function control(action) {
    if ((action === 'flatten' || action === 'stop') && !confirm(action === 'stop' ? 'Trip the kill switch: flatten and stop the runner?' : 'Close the position now?')) return;
    $('message').textContent = action + '…';
    const r = await api(action, { method: 'POST', body: JSON.stringify({ by: 'dashboard' }) });
    $('message').textContent = r.message || '';
    refresh();
  }
  for (const a of ['pause', 'resume', 'flatten', 'stop']) $('btn-' + a).onclick = () => control(a);
  $('btn-reconcile').onclick = async () => {
    $('reconcile').textContent = 'running a backtest over the same bars…';
    const r = await api('reconcile');
    $('reconcile').textContent = (r.notes || []).join('\\n') + (r.notes && r.notes.length ? '\\n\\n' : '') + r.text;
    $('reconcile-chart').hidden = false;
    $('reconcile-chart').innerHTML = '';
    const rc = LC.createChart($('reconcile-chart'), { autoSize: true, timeScale: { timeVisible: true } });
    const run = rc.addSeries(LC.LineSeries, { color: '#1f77b4', lineWidth: 2, title: 'this session', priceLineVisible: false });
    const bt = rc.addSeries(LC.LineSeries, { color: '#ff7f0e', lineWidth: 1, lineStyle: 2, title: 'backtest', priceLineVisible: false });
    run.setData(r.equity.t.map((t, i) => ({ time: sec(t), value: r.equity.run[i] })));
    bt.setData(r.equity.t.map((t, i) => ({ time: sec(t), value: r.equity.backtest[i] })));
    rc.timeScale().fitContent();
    window.__qlReconcilePoints = r.equity.t.length;
  };
  async function start() {
    if (!token) return showLogin();
    $('login').hidden = true; $('app').hidden = false;
    try {
      const list = await api('strategies');
      strategy = strategy || (list[0] && list[0].name);
      $('strategy').innerHTML = list.map((s) => '<option' + (s.name === strategy ? ' selected' : '') + '>' + s.name + '</option>').join('');
      $('strategy').onchange = () => { strategy = $('strategy').value; lastT = -Infinity; if (chart) chart.remove(); chart = null; window.__qlEquityPoints = 0; refresh(); };
      const cfg = await api('config');
      $('config').textContent = JSON.stringify(cfg, null, 2);
      await refresh();
      events();
    } catch (e) { $('message').textContent = String(e.message || e); }
  }
  start();
})();
</script></body></html>`;
}
