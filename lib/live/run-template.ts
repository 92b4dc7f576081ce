/**
 * The text of a promoted strategy's run.ts: a few readable lines that import the strategy from the project
 * (`from 'quantlab'`), freeze its parameters, and hand over to runPromoted() with the folder's config.json.
 */
export interface RunScriptInput {
  name: string;
  strategy: string;
  /** `import { <exportName> } from '<importFrom>'`. */
  exportName: string;
  importFrom: string;
  params: Record<string, unknown>;
  symbol: string;
  timeframe: string;
  exchange: string;
  marketType: string;
  promotedAt: string;
  keyEnv: string;
  secretEnv: string;
  /** the live confirmation phrase (symbol and notional cap), when a cap is set. */
  confirm?: string;
}

const literal = (params: Record<string, unknown>): string =>
  `{ ${Object.entries(params)
    .map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')} }`;

export function runScript(i: RunScriptInput): string {
  const confirm = i.confirm ? ` --confirm '${i.confirm}'` : '';
  return `/**
 * ${i.strategy} on ${i.symbol} ${i.timeframe} (${i.exchange} ${i.marketType}), promoted ${i.promotedAt}.
 * The parameters below are frozen: they are the ones validated in validation.json (the runner refuses
 * others). Exchange, sizing, fees and risk limits are in config.json beside this file; state and logs
 * are written here too (paper.db, live.db, *.log.jsonl).
 *
 *   npx tsx experiments/promoted/${i.name}/run.ts --paper
 *   ${i.keyEnv}=… ${i.secretEnv}=… npx tsx experiments/promoted/${i.name}/run.ts --live${confirm}
 *   npx quantlab run ${i.name} --paper          (the same, through the CLI)
 *   npx quantlab reconcile ${i.name}            (what the run did against a backtest of the same bars)
 * Kept or copied outside the project: npx quantlab run ${i.name} --paper --experiments <folder holding promoted/>
 */
import { ${i.exportName} } from '${i.importFrom}';
import { runPromoted } from 'quantlab/live';

export const strategy = ${i.exportName};
export const params = ${literal(i.params)};

if (require.main === module) {
  runPromoted({ strategy, params, dir: __dirname, argv: process.argv.slice(2) }).then((code) => process.exit(code));
}
`;
}
