/** quantlab's public API: what notebooks and scripts import (`import * as ql from 'quantlab'`). */
export * from './core';
export * from './data';
export * from './indicators';
export * from './backtest';
export * from './metrics';
export * from './params';
export * from './strategy';
export * as optimizer from './optimizer';
export * from './research';
export * from './plot';
export * from './testing/talib';
export * from './notebook';
export * from './report';
