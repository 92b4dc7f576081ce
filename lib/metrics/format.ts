import type { Stats } from './stats';

type Kind = 'text' | 'int' | 'money' | 'pct' | 'ratio' | 'bars' | 'days';

const ROWS: [keyof Stats, string, Kind][] = [
  ['start', 'Start', 'text'],
  ['end', 'End', 'text'],
  ['durationDays', 'Duration', 'days'],
  ['exposure', 'Exposure time', 'pct'],
  ['finalEquity', 'Final equity', 'money'],
  ['peakEquity', 'Peak equity', 'money'],
  ['commissions', 'Commissions', 'money'],
  ['totalReturn', 'Return', 'pct'],
  ['buyHoldReturn', 'Buy & hold return', 'pct'],
  ['annualReturn', 'Return (ann.)', 'pct'],
  ['annualVolatility', 'Volatility (ann.)', 'pct'],
  ['cagr', 'CAGR', 'pct'],
  ['sharpe', 'Sharpe ratio', 'ratio'],
  ['sortino', 'Sortino ratio', 'ratio'],
  ['calmar', 'Calmar ratio', 'ratio'],
  ['omega', 'Omega ratio', 'ratio'],
  ['alpha', 'Alpha (ann.)', 'pct'],
  ['beta', 'Beta', 'ratio'],
  ['maxDrawdown', 'Max. drawdown', 'pct'],
  ['avgDrawdown', 'Avg. drawdown', 'pct'],
  ['maxDrawdownBars', 'Max. drawdown duration', 'bars'],
  ['avgDrawdownBars', 'Avg. drawdown duration', 'bars'],
  ['longestUnderwaterBars', 'Longest underwater', 'bars'],
  ['var95', 'VaR 95% (per bar)', 'pct'],
  ['cvar95', 'CVaR 95% (per bar)', 'pct'],
  ['trades', '# Trades', 'int'],
  ['winRate', 'Win rate', 'pct'],
  ['bestTrade', 'Best trade', 'pct'],
  ['worstTrade', 'Worst trade', 'pct'],
  ['avgTrade', 'Avg. trade', 'pct'],
  ['maxTradeBars', 'Max. trade duration', 'bars'],
  ['avgTradeBars', 'Avg. trade duration', 'bars'],
  ['maxWinStreak', 'Max. win streak', 'int'],
  ['maxLossStreak', 'Max. loss streak', 'int'],
  ['profitFactor', 'Profit factor', 'ratio'],
  ['expectancy', 'Expectancy (per trade)', 'money'],
  ['sqn', 'SQN', 'ratio'],
  ['kelly', 'Kelly criterion', 'ratio'],
  ['probabilisticSharpe', 'Probabilistic Sharpe', 'ratio'],
  ['deflatedSharpe', 'Deflated Sharpe', 'ratio'],
];

/** Human text of a duration in days: '12d 04:00'. */
export function formatDays(days: number): string {
  if (!Number.isFinite(days)) return String(days);
  const whole = Math.floor(days);
  const minutes = Math.round((days - whole) * 1440);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${whole}d ${hh}:${mm}`;
}

function fmt(v: unknown, kind: Kind, barMs: number): string {
  if (typeof v === 'string') return v;
  const x = v as number;
  if (!Number.isFinite(x)) return String(x);
  switch (kind) {
    case 'int':
      return String(x);
    case 'money':
      return x.toFixed(2);
    case 'pct':
      return `${(x * 100).toFixed(2)} %`;
    case 'ratio':
      return x.toFixed(3);
    case 'bars':
      return `${formatDays((x * barMs) / 86_400_000)} (${Math.round(x * 100) / 100} bars)`;
    case 'days':
      return formatDays(x);
    default:
      return String(x);
  }
}

/** Statistics as display rows: [label, text], in the order backtesting.py prints them plus the extras. */
export function formatStats(stats: Stats): [string, string][] {
  return ROWS.map(([key, label, kind]) => [label, fmt(stats[key], kind, stats.barMs)]);
}

/** Statistics as an aligned two-column text table. */
export function statsText(stats: Stats): string {
  const rows = formatStats(stats);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
