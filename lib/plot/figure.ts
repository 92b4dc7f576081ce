/** A plotly figure as plain JSON: what every builder in lib/plot returns and every renderer draws. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** ISO strings for a ts column (plotly reads them as UTC dates). */
export function isoDates(ts: ArrayLike<number>): string[] {
  const out = new Array<string>(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = new Date(ts[i]!).toISOString();
  return out;
}

/** House layout defaults: white template, compact margins, unified hover, no range slider. */
export function baseLayout(title?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: title ? { text: title, x: 0.01 } : undefined,
    template: 'plotly_white',
    margin: { l: 60, r: 20, t: title ? 40 : 15, b: 35 },
    hovermode: 'x unified',
    showlegend: true,
    legend: { orientation: 'h', y: 1.02, x: 1, xanchor: 'right', yanchor: 'bottom' },
    height: 520,
    ...extra,
  };
}
