/**
 * Arithmetic on stored numbers with MongoDB's type rules, for `$inc` and `$mul`: the result has the
 * wider operand type (int32 < int64 < double < decimal), int32 overflowing becomes int64, and int64
 * overflowing is refused. Values are in the stored representation (see bson-values.ts).
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { isInt32Number, storedDouble, toNumber, isInt64 } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';

type Kind = 0 | 1 | 2 | 3; // int32, int64, double, decimal

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The BSON number type of a stored value, or undefined when it is not a number. */
export function numberKind(v: unknown): Kind | undefined {
  if (typeof v === 'number') return isInt32Number(v) ? 0 : 2;
  if (v instanceof Int32) return 0;
  if (isInt64(v) || typeof v === 'bigint') return 1;
  if (v instanceof Double) return 2;
  if (v instanceof Decimal128) return 3;
  return undefined;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (isInt64(v)) return BigInt(v.toString());
  return BigInt(toNumber(v));
}

/** A finite decimal as coefficient × 10^exponent; undefined for NaN and infinities. */
export function decimalParts(v: unknown): [bigint, number] | undefined {
  const kind = numberKind(v);
  if (kind === 0 || kind === 1) return [toBigInt(v), 0];
  const text = v instanceof Decimal128 ? v.toString() : String(toNumber(v));
  const m = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  return [BigInt(m[2] + frac) * (m[1] === '-' ? -1n : 1n), Number(m[4] ?? 0) - frac.length];
}

const digits = (n: bigint): number => (n < 0n ? -n : n).toString().length;

/** A decimal from coefficient and exponent, rounded half-even to Decimal128's 34 digits (`sticky`: a non-zero remainder beyond them). */
function makeDecimal(c: bigint, e: number, sticky = false): Decimal128 {
  const negative = c < 0n;
  let q = negative ? -c : c;
  const extra = digits(q) - 34;
  if (extra > 0) {
    const scale = 10n ** BigInt(extra);
    const rem = q % scale;
    q /= scale;
    e += extra;
    const half = scale / 2n;
    if (rem > half || (rem === half && (sticky || q % 2n === 1n))) q += 1n;
    if (digits(q) > 34) {
      q /= 10n;
      e += 1;
    }
  }
  return Decimal128.fromString(`${negative ? '-' : ''}${q}E${e}`);
}

/** NaN or infinity among decimal operands: MongoDB's IEEE answer, computed in double (exact for these). */
function nonFiniteDecimal(x: number): Decimal128 {
  return Decimal128.fromString(Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
}

export function decimalAdd(values: unknown[], negateSecond = false): Decimal128 {
  const parts = values.map(decimalParts);
  if (parts.some((p) => !p)) return nonFiniteDecimal(values.reduce<number>((s, v, i) => (negateSecond && i === 1 ? s - toNumber(v) : s + toNumber(v)), 0));
  const e = Math.min(...parts.map((p) => p![1]));
  let sum = 0n;
  parts.forEach((p, i) => {
    const scaled = p![0] * 10n ** BigInt(p![1] - e);
    sum += negateSecond && i === 1 ? -scaled : scaled;
  });
  return makeDecimal(sum, e);
}

export function decimalMultiply(values: unknown[]): Decimal128 {
  const parts = values.map(decimalParts);
  if (parts.some((p) => !p)) return nonFiniteDecimal(values.reduce<number>((s, v) => s * toNumber(v), 1));
  return makeDecimal(parts.reduce((s, p) => s * p![0], 1n), parts.reduce((s, p) => s + p![1], 0));
}

/** x / y exactly rounded to 34 digits, with IEEE 754's preferred exponent when the quotient is exact. */
export function decimalDivide(a: unknown, b: unknown): Decimal128 {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (y && y[0] === 0n) fail(16608, "can't $divide by zero");
  if (!x || !y) return nonFiniteDecimal(toNumber(a) / toNumber(b));
  const preferred = x[1] - y[1];
  if (x[0] === 0n) return makeDecimal(0n, preferred);
  const negative = x[0] < 0n !== y[0] < 0n;
  const num = x[0] < 0n ? -x[0] : x[0];
  const den = y[0] < 0n ? -y[0] : y[0];
  const k = Math.max(0, 36 + digits(den) - digits(num));
  let q = (num * 10n ** BigInt(k)) / den;
  const exact = (num * 10n ** BigInt(k)) % den === 0n;
  let e = preferred - k;
  if (exact) {
    while (e < preferred && q % 10n === 0n) {
      q /= 10n;
      e++;
    }
  }
  return makeDecimal(negative ? -q : q, e, !exact);
}

/** `current op operand` as MongoDB computes it, in the stored representation. */
export function arithmetic(current: unknown, operand: unknown, op: 'add' | 'mul', describe: () => string): unknown {
  const kind = Math.max(numberKind(current)!, numberKind(operand)!) as Kind;
  if (kind === 3) return op === 'add' ? decimalAdd([current, operand]) : decimalMultiply([current, operand]);
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
