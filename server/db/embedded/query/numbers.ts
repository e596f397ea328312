/**
 * Arithmetic on stored numbers with MongoDB's type rules, for `$inc` and `$mul`: the result has the
 * wider operand type (int32 < int64 < double < decimal), int32 overflowing becomes int64, and int64
 * overflowing is refused. Values are in the stored representation (see bson-values.ts).
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { isInt32Number, storedDouble, toNumber } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';

type Kind = 0 | 1 | 2 | 3; // int32, int64, double, decimal

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The BSON number type of a stored value, or undefined when it is not a number. */
export function numberKind(v: unknown): Kind | undefined {
  if (typeof v === 'number') return isInt32Number(v) ? 0 : 2;
  if (v instanceof Int32) return 0;
  if (v instanceof Long || typeof v === 'bigint') return 1;
  if (v instanceof Double) return 2;
  if (v instanceof Decimal128) return 3;
  return undefined;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof Long) return BigInt(v.toString());
  return BigInt(toNumber(v));
}

/** A finite decimal as coefficient × 10^exponent, or undefined for NaN and infinities. */
function toDecimalParts(v: unknown): [bigint, number] | undefined {
  if (numberKind(v) === 0 || numberKind(v) === 1) return [toBigInt(v), 0];
  const text = v instanceof Decimal128 ? v.toString() : String(toNumber(v));
  const m = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const coefficient = BigInt(m[2] + frac) * (m[1] === '-' ? -1n : 1n);
  return [coefficient, Number(m[4] ?? 0) - frac.length];
}

function decimalResult(a: unknown, b: unknown, op: 'add' | 'mul'): Decimal128 {
  const x = toDecimalParts(a);
  const y = toDecimalParts(b);
  if (!x || !y) return Decimal128.fromString(String(op === 'add' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b)));
  if (op === 'mul') return Decimal128.fromString(`${x[0] * y[0]}E${x[1] + y[1]}`);
  const e = Math.min(x[1], y[1]);
  const sum = x[0] * 10n ** BigInt(x[1] - e) + y[0] * 10n ** BigInt(y[1] - e);
  return Decimal128.fromString(`${sum}E${e}`);
}

/** `current op operand` as MongoDB computes it, in the stored representation. */
export function arithmetic(current: unknown, operand: unknown, op: 'add' | 'mul', describe: () => string): unknown {
  const kind = Math.max(numberKind(current)!, numberKind(operand)!) as Kind;
  if (kind === 3) return decimalResult(current, operand, op);
  if (kind === 2) return storedDouble(op === 'add' ? toNumber(current) + toNumber(operand) : toNumber(current) * toNumber(operand));
  const x = toBigInt(current);
  const y = toBigInt(operand);
  const r = op === 'add' ? x + y : x * y;
  if (r < INT64_MIN || r > INT64_MAX) fail(ErrorCodes.BadValue, `Failed to apply ${op === 'add' ? '$inc' : '$mul'} operations to current value (${describe()}): integer overflow`);
  if (kind === 0 && r >= -(2n ** 31n) && r < 2n ** 31n) return Number(r);
  return Long.fromBigInt(r);
}

/** Zero of the operand's type: what `$mul` stores in a missing field. */
export function zeroLike(operand: unknown): unknown {
  switch (numberKind(operand)) {
    case 1:
      return Long.fromNumber(0);
    case 2:
      return new Double(0);
    case 3:
      return Decimal128.fromString('0');
    default:
      return 0;
  }
}

/** An operand as stored (an Int32 or a bigint from a caller becomes the stored form). */
export function storedNumber(v: unknown): unknown {
  if (v instanceof Int32) return v.value;
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  return v;
}
