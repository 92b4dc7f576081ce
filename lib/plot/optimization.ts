import { baseLayout, type Figure } from './figure';

/** What the optimisation charts read from a trial: its number, parameters, objective value(s) and state. */
export interface TrialPoint {
  number: number;
  params: Record<string, number | string | boolean>;
  /** Objective values (one per objective); a single-objective study may give `value` instead. */
  values?: number[] | null;
  value?: number;
  state?: string;
}

const valueOf = (t: TrialPoint, k = 0): number => (t.values ? t.values[k]! : t.value) ?? NaN;
const complete = (trials: TrialPoint[]) => trials.filter((t) => (t.state === undefined || t.state === 'complete') && Number.isFinite(valueOf(t)));

/**
 * Heatmap of the objective over two parameters. Where several trials share an (x, y) cell (other parameters
 * vary), `aggregate` picks 'max' (default), 'mean' or 'min'.
 */
export function paramHeatmapFigure(trials: TrialPoint[], x: string, y: string, options: { aggregate?: 'max' | 'mean' | 'min'; objective?: string; title?: string } = {}): Figure {
  const agg = options.aggregate ?? 'max';
  const cells = new Map<string, number[]>();
  const xs = new Set<number | string>(), ys = new Set<number | string>();
  for (const t of complete(trials)) {
    const a = t.params[x] as number | string, b = t.params[y] as number | string;
    xs.add(a);
    ys.add(b);
    const key = `${a}\u0000${b}`;
    (cells.get(key) ?? cells.set(key, []).get(key)!).push(valueOf(t));
  }
  const sort = (s: Set<number | string>) => [...s].sort((p, q) => (typeof p === 'number' && typeof q === 'number' ? p - q : String(p).localeCompare(String(q))));
  const X = sort(xs), Y = sort(ys);
  const z = Y.map((b) =>
    X.map((a) => {
      const v = cells.get(`${a}\u0000${b}`);
      if (!v) return null;
      return agg === 'max' ? Math.max(...v) : agg === 'min' ? Math.min(...v) : v.reduce((s, w) => s + w, 0) / v.length;
    }),
  );
  const name = options.objective ?? 'objective';
  return {
    data: [{ type: 'heatmap', x: X, y: Y, z, colorscale: 'Viridis', colorbar: { title: { text: name } }, hovertemplate: `${x}=%{x}<br>${y}=%{y}<br>${name}=%{z:.4g}<extra></extra>` }],
    layout: baseLayout(options.title ?? `${name} over ${x} × ${y}${agg !== 'max' ? ` (${agg})` : ''}`, { height: 520, xaxis: { title: { text: x } }, yaxis: { title: { text: y } }, hovermode: 'closest', showlegend: false }),
  };
}

/** Objective per trial with the best-so-far line. */
export function historyFigure(trials: TrialPoint[], options: { direction?: 'maximize' | 'minimize'; objective?: string } = {}): Figure {
  const max = (options.direction ?? 'maximize') === 'maximize';
  const done = complete(trials).sort((a, b) => a.number - b.number);
  const best: number[] = [];
  let b = max ? -Infinity : Infinity;
  for (const t of done) {
    const v = valueOf(t);
    b = max ? Math.max(b, v) : Math.min(b, v);
    best.push(b);
  }
  const name = options.objective ?? 'objective';
  return {
    data: [
      { type: 'scatter', mode: 'markers', name: 'trial', x: done.map((t) => t.number), y: done.map((t) => valueOf(t)), marker: { size: 5, color: '#1f77b4', opacity: 0.6 } },
      { type: 'scatter', mode: 'lines', name: 'best so far', x: done.map((t) => t.number), y: best, line: { color: '#d62728', width: 2, shape: 'hv' } },
    ],
    layout: baseLayout('Optimisation history', { height: 380, xaxis: { title: { text: 'trial' } }, yaxis: { title: { text: name } }, hovermode: 'closest' }),
  };
}

/**
 * Parameter importance as the correlation ratio η² of the objective on each parameter (share of the objective's
 * variance explained by the parameter's value, numeric parameters binned into up to 10 quantile bins),
 * normalised to sum to 1. A quick, model-free measure; it ignores interactions (optuna's default, fANOVA, does not).
 */
export function parameterImportance(trials: TrialPoint[], k = 0): Array<{ param: string; importance: number }> {
  const done = complete(trials);
  const vals = done.map((t) => valueOf(t, k));
  const n = vals.length;
  if (n < 2) return [];
  const mean = vals.reduce((a, b) => a + b, 0) / n;
  const total = vals.reduce((a, b) => a + (b - mean) ** 2, 0);
  const names = [...new Set(done.flatMap((t) => Object.keys(t.params)))];
  const raw = names.map((p) => {
    const pv = done.map((t) => t.params[p]);
    const numeric = pv.every((v) => typeof v === 'number');
    let key: (v: unknown) => string;
    if (numeric) {
      const sorted = [...(pv as number[])].sort((a, b) => a - b);
      const bins = Math.min(10, new Set(sorted).size);
      const edges = Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * n) / bins)]!);
      key = (v) => String(edges.filter((e) => (v as number) >= e).length);
    } else key = (v) => String(v);
    const groups = new Map<string, number[]>();
    pv.forEach((v, i) => (groups.get(key(v)) ?? groups.set(key(v), []).get(key(v))!).push(vals[i]!));
    let between = 0;
    for (const g of groups.values()) {
      const m = g.reduce((a, b) => a + b, 0) / g.length;
      between += g.length * (m - mean) ** 2;
    }
    return { param: p, importance: total > 0 ? between / total : 0 };
  });
  const sum = raw.reduce((a, r) => a + r.importance, 0);
  return raw.map((r) => ({ param: r.param, importance: sum > 0 ? r.importance / sum : 0 })).sort((a, b) => b.importance - a.importance);
}

export function importanceFigure(importances: Array<{ param: string; importance: number }>): Figure {
  const rows = [...importances].reverse();
  return {
    data: [{ type: 'bar', orientation: 'h', x: rows.map((r) => r.importance), y: rows.map((r) => r.param), marker: { color: '#1f77b4' }, hovertemplate: '%{y}: %{x:.3f}<extra></extra>' }],
    layout: baseLayout('Parameter importance (η², normalised)', { height: 140 + 30 * rows.length, xaxis: { title: { text: 'importance' }, range: [0, 1] }, showlegend: false, hovermode: 'closest' }),
  };
}

/** Parallel coordinates over the parameters, coloured by the objective. */
export function parallelCoordinatesFigure(trials: TrialPoint[], options: { objective?: string } = {}): Figure {
  const done = complete(trials);
  const names = [...new Set(done.flatMap((t) => Object.keys(t.params)))];
  const dims = names.map((p) => {
    const v = done.map((t) => t.params[p]);
    if (v.every((x) => typeof x === 'number')) return { label: p, values: v };
    const cats = [...new Set(v.map(String))];
    return { label: p, values: v.map((x) => cats.indexOf(String(x))), tickvals: cats.map((_, i) => i), ticktext: cats };
  });
  const obj = done.map((t) => valueOf(t));
  dims.push({ label: options.objective ?? 'objective', values: obj });
  return {
    data: [{ type: 'parcoords', line: { color: obj, colorscale: 'Viridis', showscale: true, colorbar: { title: { text: options.objective ?? 'objective', side: 'right' }, thickness: 14 } }, dimensions: dims, labelangle: names.some((n) => n.length > 12) ? -12 : 0, labelfont: { size: 12 } }],
    // parcoords draws its axis labels above the plot area: the top margin leaves them a row under the title
    layout: baseLayout(`Parallel coordinates (${done.length} trials, coloured by ${options.objective ?? 'objective'})`, { height: 480, hovermode: false, showlegend: false, margin: { l: 70, r: 90, t: 100, b: 30 } }),
  };
}

/** One scatter per parameter: objective against that parameter's value. */
export function sliceFigure(trials: TrialPoint[], options: { objective?: string } = {}): Figure {
  const done = complete(trials);
  const names = [...new Set(done.flatMap((t) => Object.keys(t.params)))];
  const w = 1 / Math.max(1, names.length);
  const data = names.map((p, i) => ({
    type: 'scatter',
    mode: 'markers',
    name: p,
    x: done.map((t) => t.params[p]),
    y: done.map((t) => valueOf(t)),
    xaxis: i ? `x${i + 1}` : 'x',
    yaxis: 'y',
    marker: { size: 5, color: done.map((t) => t.number), colorscale: 'Blues', showscale: i === names.length - 1, colorbar: { title: { text: 'trial' } } },
  }));
  const axes: Record<string, unknown> = {};
  names.forEach((p, i) => (axes[i ? `xaxis${i + 1}` : 'xaxis'] = { domain: [i * w + 0.02, (i + 1) * w - 0.02], title: { text: p }, anchor: 'y' }));
  return { data, layout: baseLayout('Slice plot', { height: 380, yaxis: { title: { text: options.objective ?? 'objective' } }, hovermode: 'closest', showlegend: false, ...axes }) };
}

/** Two objectives against each other; the Pareto-optimal trials highlighted. `pareto` holds their trial numbers. */
export function paretoFigure(trials: TrialPoint[], pareto: number[], names: [string, string] = ['objective 1', 'objective 2']): Figure {
  const done = trials.filter((t) => t.values && t.values.length >= 2 && (t.state === undefined || t.state === 'complete'));
  const front = new Set(pareto);
  const pick = (inFront: boolean) => done.filter((t) => front.has(t.number) === inFront);
  const trace = (ts: TrialPoint[], name: string, color: string) => ({
    type: 'scatter',
    mode: 'markers',
    name,
    x: ts.map((t) => t.values![0]),
    y: ts.map((t) => t.values![1]),
    text: ts.map((t) => `trial ${t.number}: ${JSON.stringify(t.params)}`),
    marker: { size: 7, color },
  });
  return {
    data: [trace(pick(false), 'trials', 'rgba(31,119,180,0.35)'), trace(pick(true), 'Pareto front', '#d62728')],
    layout: baseLayout('Pareto front', { height: 460, xaxis: { title: { text: names[0] } }, yaxis: { title: { text: names[1] } }, hovermode: 'closest' }),
  };
}

/** Walk-forward: in-sample vs out-of-sample objective per fold, and optionally the stitched out-of-sample equity. */
export function walkForwardFigure(folds: Array<{ fold: number; inSample: number; outOfSample: number }>, options: { objective?: string } = {}): Figure {
  return {
    data: [
      { type: 'bar', name: 'in-sample', x: folds.map((f) => f.fold), y: folds.map((f) => f.inSample), marker: { color: '#9ecae1' } },
      { type: 'bar', name: 'out-of-sample', x: folds.map((f) => f.fold), y: folds.map((f) => f.outOfSample), marker: { color: '#08519c' } },
    ],
    layout: baseLayout('Walk-forward: in-sample vs out-of-sample', { height: 360, barmode: 'group', xaxis: { title: { text: 'fold' }, dtick: 1 }, yaxis: { title: { text: options.objective ?? 'objective' } }, hovermode: 'closest' }),
  };
}
