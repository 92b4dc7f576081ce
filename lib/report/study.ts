import { join } from 'node:path';
import { historyFigure, importanceFigure, paramHeatmapFigure, parameterImportance, parallelCoordinatesFigure, paretoFigure, saveReport, sliceFigure, type ReportBlock } from '../plot';
import type { OptimizeResult } from '../research';

/**
 * Writes a self-contained HTML report of a study (best parameters, optimisation history, the objective over
 * the two most important parameters, importance, slices, parallel coordinates, the Pareto front for several
 * objectives, and the overfitting statistics) and returns its path: by default experiments/reports/study-<name>.html.
 */
export function studyReport(result: OptimizeResult, options: { path?: string } = {}): string {
  const path = options.path ?? join('experiments', 'reports', `study-${result.studyName}.html`);
  const objective = result.objectives.join(', ');
  const blocks: ReportBlock[] = [
    { text: `study ${result.studyName} (${result.storage}): ${result.strategy}, sampler ${result.sampler}, ${result.trials.length} trials, objective ${objective} (${result.directions.join(', ')})` },
  ];
  if (result.best) {
    blocks.push({ heading: 'Best parameters' }, { table: [{ trial: result.best.number, params: JSON.stringify(result.best.params), [objective]: result.best.value }] });
  }
  if (result.objectives.length >= 2) {
    blocks.push({ heading: 'Pareto front' }, { figure: paretoFigure(result.trials, result.bestTrials.map((t) => t.number), [result.objectives[0]!, result.objectives[1]!]) });
  } else {
    const imp = parameterImportance(result.trials);
    blocks.push({ heading: 'Optimisation history' }, { figure: historyFigure(result.trials, { direction: result.directions[0] === 'minimize' ? 'minimize' : 'maximize', objective }) });
    if (imp.length >= 2) blocks.push({ heading: `${objective} over ${imp[0]!.param} × ${imp[1]!.param}` }, { figure: paramHeatmapFigure(result.trials, imp[0]!.param, imp[1]!.param, { objective }) });
    if (imp.length) blocks.push({ heading: 'Parameter importance' }, { figure: importanceFigure(imp) }, { figure: sliceFigure(result.trials, { objective }) });
    blocks.push({ figure: parallelCoordinatesFigure(result.trials, { objective }) });
  }
  const o = result.overfitting;
  if (o) {
    blocks.push({ heading: 'Overfitting statistics' }, {
      table: [
        { statistic: 'finished trials', value: o.trials },
        { statistic: 'best Sharpe (annualised)', value: o.sharpe },
        { statistic: 'probabilistic Sharpe (vs 0)', value: o.deflated.probabilisticSharpe },
        { statistic: `deflated Sharpe (vs the best of ${o.trials} unskilled trials)`, value: o.deflated.deflatedSharpe },
        { statistic: 'probability of backtest overfitting (CSCV)', value: o.pbo ? o.pbo.pbo : 'n/a (fewer than 4 configurations)' },
      ],
    });
  }
  return saveReport(path, `Study: ${result.studyName}`, blocks);
}
