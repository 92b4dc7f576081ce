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

/**
 * A title that fits: long titles (parameter JSON, long names) are broken into lines of about `width`
 * characters at spaces or commas, at most `maxLines` lines (the rest shortened with …).
 */
export function wrapTitle(title: string, width = 80, maxLines = 3): { text: string; lines: number } {
  const words = title.split(/(?<=[ ,])/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && (cur + w).trimEnd().length > width) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += w;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = lines[maxLines - 1]!.slice(0, width - 1) + '…';
  }
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { text: lines.map((l) => (l.length > width + 20 ? l.slice(0, width + 19) + '…' : l)).map(esc).join('<br>'), lines: Math.max(1, lines.length) };
}

/**
 * House layout defaults: white template, unified hover, no range slider. The title sits at the top left of the
 * figure (wrapped, see wrapTitle), the legend in its own row between the title and the plot, so neither
 * overlaps the other or the axes; the top margin grows with both.
 */
export function baseLayout(title?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = title ? wrapTitle(title) : null;
  const legend = extra.showlegend !== false;
  // plotly places a title of several lines half a line higher than one of one line: the pad makes up for it
  const pad = t && t.lines > 1 ? 18 : 8;
  const top = (t ? 4 + pad + 20 * t.lines : 10) + (legend ? 28 : 0);
  const { margin, ...rest } = extra as { margin?: Record<string, number> };
  return {
    title: t ? { text: t.text, x: 0.01, xanchor: 'left', xref: 'container', y: 1, yanchor: 'top', yref: 'container', pad: { t: pad }, font: { size: 15 } } : undefined,
    template: 'plotly_white',
    margin: { l: 60, r: 20, t: top, b: 40, ...margin },
    hovermode: 'x unified',
    showlegend: true,
    legend: { orientation: 'h', y: 1, x: 0, xanchor: 'left', yanchor: 'bottom' },
    height: 520,
    ...rest,
  };
}
