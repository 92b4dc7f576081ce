/**
 * The one error type quantlab throws on bad input. `code` is stable (tests and callers switch on it);
 * the message says where (file, row, parameter), what was expected and what was found.
 */
export type ErrorCode =
  | 'EMPTY_FILE'
  | 'MISSING_COLUMN'
  | 'UNKNOWN_LAYOUT'
  | 'PARSE_ERROR'
  | 'UNSORTED'
  | 'DUPLICATE_TIMESTAMP'
  | 'OFF_GRID'
  | 'BAD_PRICE'
  | 'NEGATIVE_VOLUME'
  | 'BAD_VOLUME'
  | 'HIGH_BELOW_BODY'
  | 'LOW_ABOVE_BODY'
  | 'BAD_TIMEFRAME'
  | 'BAD_ARGUMENT'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'OPTIONAL_DEPENDENCY'
  | 'NOT_TEXT'
  | 'TOO_LARGE'
  | 'TYPE_MISMATCH'
  | 'MIXED_UNITS'
  | 'TIMEFRAME_MISMATCH'
  | 'BAD_CONFIG'
  | 'LOCKED'
  | 'STATE_DAMAGED'
  | 'STUDY_MISMATCH'
  | 'BIAS'
  | 'IO_ERROR'
  | 'INTERNAL';

export class QuantlabError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'QuantlabError';
    this.code = code;
    this.details = details;
  }
}

/** Throws a BAD_ARGUMENT QuantlabError unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new QuantlabError('BAD_ARGUMENT', message);
}
