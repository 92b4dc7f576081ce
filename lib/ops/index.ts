export { startOpsServer, parseListen, type OpsServer, type OpsServerOptions } from './server';
export { dashboardAttach, portfolioDashboardAttach, serveReadOnly, tokenPath, type ReadOnlyDashboard } from './attach';
export { OpsMetrics } from './metrics';
export { OPENAPI } from './openapi';
export { statusView, equityView, tradesView, ordersView, positionsView, logsView, configView, type StrategySource, type StatusView } from './views';
