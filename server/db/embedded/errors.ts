/**
 * Errors answered to the client in MongoDB's own shape: `{ ok: 0, errmsg, code, codeName }`,
 * plus `errorLabels` when the driver must see them (e.g. TransientTransactionError).
 */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  SnapshotTooOld: 239,
  CommandNotSupported: 115,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  NotExactValueField: 111,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  OperationNotSupportedInTransaction: 263,
  Location40324: 40324,
  NotImplemented: 238,
  InvalidPipelineOperator: 168,
  DuplicateKey: 11000,
  MaxTimeMSExpired: 50,
  DocumentValidationFailure: 121,
  DollarPrefixedFieldName: 52,
  EmptyFieldName: 56,
  DottedFieldName: 57,
  ConflictingUpdateOperators: 40,
  NoSuchKey: 4,
  Location17419: 17419,
  PathNotViable: 28,
  CannotBackfillArray: 34,
  Unauthorized: 13,
  BSONObjectTooLarge: 10334,
  ConversionFailure: 241,
  Location40400: 40400,
  // Codes tests and fail points answer with (failCommand's errorCode), named as mongod names them.
  HostUnreachable: 6,
  HostNotFound: 7,
  LockTimeout: 24,
  WriteConcernTimeout: 64,
  UnknownReplWriteConcern: 79,
  NetworkTimeout: 89,
  ShutdownInProgress: 91,
  UnsatisfiableWriteConcern: 100,
  ReadConcernMajorityNotAvailableYet: 134,
  PrimarySteppedDown: 189,
  ExceededTimeLimit: 262,
  FailPointSetFailed: 266,
  PreparedTransactionInProgress: 267,
  SocketException: 9001,
  NotWritablePrimary: 10107,
  InterruptedAtShutdown: 11600,
  Interrupted: 11601,
  InterruptedDueToReplStateChange: 11602,
  NotPrimaryNoSecondaryOk: 13435,
  NotPrimaryOrSecondary: 13436,
  Location40081: 40081,
  Location17124: 17124,
  Location40415: 40415,
} as const;

const codeNames = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));

export class MongoServerError extends Error {
  readonly code: number;
  readonly codeName: string;
  errorLabels: string[];
  /** Extra fields answered beside errmsg (keyPattern/keyValue for duplicate keys). */
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, extra: Record<string, unknown> = {}, errorLabels: string[] = []) {
    super(message);
    this.code = code;
    this.codeName = codeNames.get(code) ?? (code === 11000 ? 'DuplicateKey' : `Location${code}`);
    this.extra = extra;
    this.errorLabels = errorLabels;
  }

  toReply(): Record<string, unknown> {
    const reply: Record<string, unknown> = { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length > 0) reply.errorLabels = this.errorLabels;
    return reply;
  }

  /** The shape used inside `writeErrors` entries. */
  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }
}

export function fail(code: number, message: string, extra?: Record<string, unknown>): never {
  throw new MongoServerError(code, message, extra);
}

/** mongod's code for a `$$name` no `let` or stage defines (Location17276). */
const UNDEFINED_VARIABLE = 17276;

/**
 * mingo's errors for an operator argument of the wrong type begin with the operator and the
 * argument ("$size expression must resolve to ...", "$filter 'input' expression must resolve to
 * ..."); MongoDB answers each with a code of its own (pipeline/expression.cpp).
 */
const ARGUMENT_TYPE_CODES: Array<[prefix: string, code: number]> = [
  ['$size expression', 17124],
  ['$arrayElemAt arg1', 28689],
  ['$concat expression', 16702],
  ['$concatArrays expression', 28664],
  ["$filter 'input'", 28651],
  ["$map 'input'", 16883],
  ["$reduce 'input'", 40080],
  ['$slice arg1', 28724],
  ['$reverseArray expression', 34435],
  ['$indexOfArray arg1', 40090],
];

/** mingo's errors of evaluation that MongoDB answers with codes of their own (its ConversionFailure, 241, included). */
const EVALUATION_CODES: Array<[prefix: string, code: number]> = [
  ["can't $divide by zero", 16608],
  ['cannot convert', 241],
  ['$replaceRoot expression must return an object', 40228],
];

/** MongoDB's code for an error mingo reported, if it is one of those above. */
export function mingoErrorCode(message: string): number | undefined {
  const evaluation = EVALUATION_CODES.find(([prefix]) => message.startsWith(prefix));
  if (evaluation) return evaluation[1];
  if (!message.includes('must resolve to')) return undefined;
  return ARGUMENT_TYPE_CODES.find(([prefix]) => message.startsWith(prefix))?.[1];
}

/** Wraps anything thrown (mingo errors included) into a server error the client can read. */
export function asServerError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo reports bad operators/arguments as plain errors; MongoDB answers these as BadValue-like errors, except an
  // undefined $$variable and the operator arguments above, which it answers with codes of their own.
  if (message.startsWith('Use of undefined variable')) return new MongoServerError(UNDEFINED_VARIABLE, message);
  // mingo looks an unknown expression operator up among its accumulators last; $group checks its own first.
  const unknownOperator = /^accumulator '(\$[^']*)' is not registered/.exec(message);
  if (unknownOperator) return new MongoServerError(ErrorCodes.InvalidPipelineOperator, `Unrecognized expression '${unknownOperator[1]}'`);
  return new MongoServerError(mingoErrorCode(message) ?? ErrorCodes.BadValue, message);
}
