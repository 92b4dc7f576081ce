import { drawdownSeries } from '../metrics';
import { equityFigure, saveReport, type Figure } from '../plot';
import { reconcileText, type ReconcileReport } from './reconcile';

/** A session's reconcile report as a chart (the run's and the backtest's equity) and a self-contained HTML page. */

/** The run's and the backtest's equity on one chart. */
export function reconcileFigure(report: ReconcileReport, title = 'run against backtest'): Figure {
  const { ts, run, backtest } = report.equity;
  const fig = equityFigure({ ts, equity: run, drawdown: drawdownSeries(run, run.length ? run[0]! : 1), benchmark: backtest, title });
  fig.data[0]!.name = 'run';
  if (fig.data[1]) fig.data[1].name = 'backtest';
  return fig;
}

/** Writes the reconcile report as a self-contained HTML page. Returns the path. */
export function saveReconcileReport(path: string, title: string, report: ReconcileReport): string {
  return saveReport(path, title, [
    { text: reconcileText(report).split('\n').slice(0, report.summary.vacuous ? 3 : 2).join(' — ') },
    { figure: reconcileFigure(report, title) },
    { heading: 'trades' },
    { table: report.rows.map((r) => ({ ...r })) },
    ...(report.notes.length ? [{ heading: 'session notes' }, { table: report.notes.map((note) => ({ note })) }] : []),
  ]);
}
