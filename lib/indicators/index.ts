// The public indicator API, one line per indicator file: each file holds an indicator (or a tight family),
// its streaming twin and their result types. The kernels they share (argument checks, NaN-free runs,
// rolling windows, running SMA/WMA/Wilder steps...) live in ./kernels/ and are NOT re-exported: import
// them by path (lib/strategy does). tests/indicators/public-api.test.ts keeps it that way.
export * from './ad';
export * from './adosc';
export * from './adx';
export * from './aroon';
export * from './atr';
export * from './bbands';
export * from './cci';
export * from './cmf';
export * from './cross';
export * from './dema';
export * from './donchian';
export * from './ema';
export * from './hma';
export * from './ichimoku';
export * from './kama';
export * from './keltner';
export * from './macd';
export * from './mfi';
export * from './mom';
export * from './natr';
export * from './obv';
export * from './patterns';
export * from './ppo';
export * from './roc';
export * from './rolling';
export * from './rsi';
export * from './sar';
export * from './sma';
export * from './stddev';
export * from './stoch';
export * from './stochrsi';
export * from './supertrend';
export * from './tema';
export * from './trange';
export * from './transform';
export * from './trima';
export * from './trix';
export * from './ultosc';
export * from './vwap';
export * from './vwma';
export * from './willr';
export * from './wma';
