export { ALERT_RULES, alertsProblems, type AlertRule, type AlertsConfig, type AlertChannel, type WebhookChannel, type TelegramChannel, type EmailChannel } from './config';
export { AlertRules, type Alert, type AlertEvent } from './rules';
export { AlertDispatcher, type AlertReport, type DispatcherOptions } from './dispatcher';
