import type { ParamSpec } from './declare';

/**
 * What a declaration accepts, in words.
 * @example describeParam({ kind: 'int', low: 10, high: 200, step: 2 }) // 'an integer in [10, 200] on a step of 2'
 */
export function describeParam(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return `an integer in [${spec.low}, ${spec.high}]${spec.step > 1 ? ` on a step of ${spec.step}` : ''}`;
    case 'float':
      return `a number in [${spec.low}, ${spec.high}]${spec.step > 0 ? ` on a step of ${spec.step}` : ''}`;
    case 'logFloat':
      return `a number in [${spec.low}, ${spec.high}] (log-uniform)`;
    case 'choice':
      return `one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  }
}
