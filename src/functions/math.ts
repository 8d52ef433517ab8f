/**
 * Mathematical functions. INTEGER/BIGINT arguments of DOUBLE-only functions widen implicitly
 * (see resolve.ts). ROUND follows ksqlDB: doubles round half up like Java's Math.round
 * (-1.5 -> -1); decimals HALF_UP when positive and HALF_DOWN when negative (the same rule).
 */
import type { ArgType, FunctionDef, ResolveContext } from './types.ts';
import { FunctionError } from './types.ts';
import { formatType, type SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import type { CallInfo } from './signature.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';
import { compareValues, normBig } from './util.ts';

type Mode = 'HALF_CEIL' | 'DOWN' | 'CEILING' | 'FLOOR';

/** Rescales to `scale` (may be negative) with the given rounding; the result has that scale. */
export function rescale(d: Decimal, scale: number, mode: Mode): Decimal {
  if (scale >= d.scale) return new Decimal(d.unscaled * 10n ** BigInt(scale - d.scale), scale);
  const div = 10n ** BigInt(d.scale - scale);
  const u = d.unscaled;
  let q = u / div;
  const r = u % div;
  if (r !== 0n) {
    switch (mode) {
      case 'DOWN':
        break;
      case 'FLOOR':
        if (r < 0n) q -= 1n;
        break;
      case 'CEILING':
        if (r > 0n) q += 1n;
        break;
      case 'HALF_CEIL':
        if (r > 0n ? 2n * r >= div : -2n * r > div) q += r > 0n ? 1n : -1n;
        break;
    }
  }
  return new Decimal(q, scale);
}

/** Rounds to `places` then restores the original scale (ksqlDB keeps the argument's type). */
function roundKeepScale(d: Decimal, places: number, mode: Mode): Decimal {
  return rescale(rescale(d, places, mode), d.scale, 'DOWN');
}

/** A double as an integral BIGINT value (Java's long conversion: NaN -> 0, saturating). */
function doubleToLong(x: number): number | bigint {
  if (Number.isNaN(x)) return 0;
  if (Number.isSafeInteger(x)) return x;
  if (x >= 9223372036854775807) return 9223372036854775807n;
  if (x <= -9223372036854775808) return -9223372036854775808n;
  return normBig(BigInt(x));
}

/** A double rounded/truncated to `places` decimal places via its shortest decimal text. */
function doublePlaces(x: number, places: number, mode: Mode): number {
  if (!Number.isFinite(x)) return x;
  const fast = places >= 0 ? digitRound(x, places, mode) : null;
  return fast ?? rescale(Decimal.fromNumber(x), places, mode).toNumber();
}

/**
 * Fast path of doublePlaces on the plain decimal text (no BigInt): null when the text uses an
 * exponent. Same result as the Decimal path, which the tests check.
 */
function digitRound(x: number, places: number, mode: Mode): number | null {
  const text = String(x);
  if (text.includes('e')) return null;
  const neg = text[0] === '-';
  const body = neg ? text.slice(1) : text;
  const dot = body.indexOf('.');
  if (dot < 0 || body.length - dot - 1 <= places) return x;
  const kept = body.slice(0, dot) + body.slice(dot + 1, dot + 1 + places);
  const next = body.charCodeAt(dot + 1 + places) - 48;
  let up: boolean;
  if (mode === 'DOWN') up = false;
  else if (mode !== 'HALF_CEIL') return null;
  else if (!neg) up = next >= 5;
  else up = next > 5 || (next === 5 && /[1-9]/.test(body.slice(dot + 2 + places)));
  let digits = kept;
  if (up) {
    const arr = digits.split('');
    let i = arr.length - 1;
    while (i >= 0 && arr[i] === '9') arr[i--] = '0';
    if (i < 0) arr.unshift('1');
    else arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
    digits = arr.join('');
  }
  const intLen = digits.length - places;
  const out = digits.slice(0, intLen) + (places > 0 ? '.' + digits.slice(intLen) : '');
  const v = Number(out);
  return neg ? 0 - v : v; // 0 - 0 is +0: BigDecimal has no negative zero
}

const decimalType = (call: CallInfo): SqlType => call.types[0]!;

function integralDecimal(extra: number) {
  return (call: CallInfo): SqlType => {
    const t = call.types[0]!;
    if (t.kind !== 'DECIMAL') return t;
    return { kind: 'DECIMAL', precision: Math.max(1, Math.min(38, t.precision - t.scale + extra)), scale: 0 };
  };
}

/** The DECIMAL that holds every argument (ksqlDB's DecimalUtil.widen). */
function widestDecimal(call: CallInfo): SqlType {
  let intDigits = 1;
  let scale = 0;
  for (const t of call.types) {
    if (t && t.kind === 'DECIMAL') {
      intDigits = Math.max(intDigits, t.precision - t.scale);
      scale = Math.max(scale, t.scale);
    }
  }
  return { kind: 'DECIMAL', precision: Math.min(38, intDigits + scale), scale };
}

function extreme(sign: 1 | -1) {
  return (first: unknown, rest: unknown[]): unknown => {
    let best: unknown = first;
    for (const v of rest) {
      if (v === null) continue;
      if (best === null || sign * compareValues(v, best) > 0) best = v;
    }
    return best;
  };
}

const COMPARABLE = ['INT', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'];

function extremeFunction(name: string, sign: 1 | -1, what: string): FunctionDef {
  const impl = extreme(sign);
  const def = scalar(name, `Returns the ${what} non-null value among the arguments, or NULL if all are NULL.`, [
    ...COMPARABLE.map((t) => fn(`val ${t}, vals ${t}...`, t, impl)),
    fn('val DECIMAL, vals DECIMAL...', widestDecimal, impl, { returnLabel: 'DECIMAL' }),
  ]);
  return {
    ...def,
    resolve(args, ctx) {
      const ambiguous = ambiguousExtremeCall(name, args, ctx);
      return ambiguous ?? def.resolve(args, ctx);
    },
  };
}

/** ksqlDB's implicit widening between the overloads' types (SqlTypeCoercer for UDF arguments). */
const WIDENS_TO: Record<string, readonly string[]> = {
  INTEGER: ['BIGINT', 'DECIMAL', 'DOUBLE'],
  BIGINT: ['DECIMAL', 'DOUBLE'],
  DECIMAL: ['DOUBLE'],
};
const OVERLOAD_KINDS = ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'];

/**
 * GREATEST/LEAST as ksqlDB's UdfIndex resolves them: one overload per type, all variadic. Unless
 * every typed argument has the same type, the overloads every argument widens to are candidates,
 * and more than one (INTEGER with BIGINT: BIGINT, DECIMAL and DOUBLE) is an ambiguous call; so
 * are arguments that are all NULL. A string literal may stand for a DATE, TIME or TIMESTAMP.
 */
function ambiguousExtremeCall(name: string, args: readonly ArgType[], ctx: ResolveContext): string | null {
  const typed = args.map((a, i) => ({ t: a && typeof a === 'object' && 'kind' in a ? (a as SqlType) : null, literal: ctx.literalArg(i) !== undefined }));
  const kinds = typed.filter((a) => a.t !== null).map((a) => a.t!.kind as string);
  if (args.length === 0 || (kinds.length > 0 && kinds.every((k) => k === kinds[0]))) return null;
  const candidates = OVERLOAD_KINDS.filter((target) =>
    typed.every(({ t, literal }) => {
      if (t === null) return true;
      if (t.kind === target || WIDENS_TO[t.kind]?.includes(target)) return true;
      return t.kind === 'STRING' && literal && (target === 'DATE' || target === 'TIME' || target === 'TIMESTAMP');
    }),
  );
  if (candidates.length <= 1) return null;
  const shown = typed.map(({ t }) => (t === null ? 'null' : formatType(t))).join(', ');
  return `Function '${name.toLowerCase()}' cannot be resolved due to ambiguous method parameters (${shown}).`;
}

/** A DOUBLE -> DOUBLE function that returns NULL for NULL. */
function unary(name: string, description: string, f: (x: number) => number): FunctionDef {
  return scalar(name, description, [fn('value DOUBLE', 'DOUBLE', (x: number | null) => (x === null ? null : f(x)))]);
}

/** Java's Math.toDegrees / toRadians constants (JDK 9+). */
const RADIANS_TO_DEGREES = 180 / Math.PI;
const DEGREES_TO_RADIANS = Math.PI / 180;

/** Great-circle distance (haversine) in km or miles, as ksqlDB's GEO_DISTANCE. */
function geoDistance(lat1: number, lon1: number, lat2: number, lon2: number, unit = 'KM'): number {
  for (const lat of [lat1, lat2]) if (lat < -90 || lat > 90) throw new FunctionError(`valid latitude values are -90 to 90, got ${lat}`);
  for (const lon of [lon1, lon2]) if (lon < -180 || lon > 180) throw new FunctionError(`valid longitude values are -180 to 180, got ${lon}`);
  const u = unit.toLowerCase();
  let radius: number;
  if (u === 'km' || u === 'kilometer' || u === 'kilometers' || u === 'kilometre' || u === 'kilometres') radius = 6371;
  else if (u === 'mi' || u === 'mile' || u === 'miles') radius = 3959;
  else throw new FunctionError(`GEO_DISTANCE unit must be one of KM or MI, got '${unit}'`);
  const dLat = (lat2 - lat1) * DEGREES_TO_RADIANS;
  const dLon = (lon2 - lon1) * DEGREES_TO_RADIANS;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEGREES_TO_RADIANS) * Math.cos(lat2 * DEGREES_TO_RADIANS) * Math.sin(dLon / 2) ** 2;
  return radius * 2 * Math.asin(Math.sqrt(a));
}

const absBig = (v: number | bigint): number | bigint => (typeof v === 'bigint' ? normBig(v < 0n ? -v : v) : Math.abs(v));

export const mathFunctions: FunctionDef[] = [
  scalar('ABS', 'The absolute value of a number.', [
    fn('value INT', 'INT', strict((v: number) => Math.abs(v) | 0)),
    fn('value BIGINT', 'BIGINT', strict(absBig)),
    fn('value DOUBLE', 'DOUBLE', strict(Math.abs)),
    fn('value DECIMAL', decimalType, strict((d: Decimal) => d.abs()), { returnLabel: 'DECIMAL' }),
  ]),
  scalar(
    'ROUND',
    'Rounds a value to the given number of decimal places (default 0; negative rounds left of the point). Ties round up (towards positive infinity).',
    [
      fn('value INT', 'BIGINT', strict((v: number) => v)),
      fn('value BIGINT', 'BIGINT', strict((v: number | bigint) => v)),
      fn('value DOUBLE', 'BIGINT', strict((x: number) => doubleToLong(Math.round(x)))),
      fn('value DOUBLE, decimalPlaces INT', 'DOUBLE', strict((x: number, n: number) => doublePlaces(x, n, 'HALF_CEIL'))),
      fn('value DECIMAL', integralDecimal(1), strict((d: Decimal) => rescale(d, 0, 'HALF_CEIL')), {
        returnLabel: 'DECIMAL',
      }),
      fn('value DECIMAL, decimalPlaces INT', decimalType, strict((d: Decimal, n: number) => roundKeepScale(d, n, 'HALF_CEIL')), {
        returnLabel: 'DECIMAL',
      }),
    ],
  ),
  scalar(
    'TRUNC',
    'Truncates a value towards zero to the given number of decimal places (default 0; negative truncates left of the point).',
    [
      fn('value INT', 'BIGINT', strict((v: number) => v)),
      fn('value BIGINT', 'BIGINT', strict((v: number | bigint) => v)),
      fn('value DOUBLE', 'BIGINT', strict((x: number) => doubleToLong(Math.trunc(x)))),
      fn('value DOUBLE, decimalPlaces INT', 'DOUBLE', strict((x: number, n: number) => doublePlaces(x, n, 'DOWN'))),
      fn('value DECIMAL', integralDecimal(0), strict((d: Decimal) => rescale(d, 0, 'DOWN')), { returnLabel: 'DECIMAL' }),
      fn('value DECIMAL, decimalPlaces INT', decimalType, strict((d: Decimal, n: number) => roundKeepScale(d, n, 'DOWN')), {
        returnLabel: 'DECIMAL',
      }),
    ],
  ),
  scalar('CEIL', 'The smallest integral value greater than or equal to the argument.', [
    fn('value INT', 'INT', strict((v: number) => v)),
    fn('value BIGINT', 'BIGINT', strict((v: number | bigint) => v)),
    fn('value DOUBLE', 'DOUBLE', strict(Math.ceil)),
    fn('value DECIMAL', decimalType, strict((d: Decimal) => roundKeepScale(d, 0, 'CEILING')), { returnLabel: 'DECIMAL' }),
  ]),
  scalar('FLOOR', 'The largest integral value less than or equal to the argument.', [
    fn('value INT', 'INT', strict((v: number) => v)),
    fn('value BIGINT', 'BIGINT', strict((v: number | bigint) => v)),
    fn('value DOUBLE', 'DOUBLE', strict(Math.floor)),
    fn('value DECIMAL', decimalType, strict((d: Decimal) => roundKeepScale(d, 0, 'FLOOR')), { returnLabel: 'DECIMAL' }),
  ]),
  scalar('SIGN', 'The sign of a number: -1, 0 or 1.', [
    fn('value INT', 'INT', strict((v: number) => Math.sign(v))),
    fn('value BIGINT', 'INT', strict((v: number | bigint) => (typeof v === 'bigint' ? (v < 0n ? -1 : 1) : Math.sign(v)))),
    fn('value DOUBLE', 'INT', strict((x: number) => (Number.isNaN(x) ? 0 : Math.sign(x) | 0))),
    fn('value DECIMAL', 'INT', strict((d: Decimal) => d.signum())),
  ]),
  scalar('POWER', 'The base raised to the power of the exponent.', [
    fn('base DOUBLE, exponent DOUBLE', 'DOUBLE', strict(Math.pow)),
  ]),
  unary('SQRT', 'The square root of a value (NaN for negatives).', Math.sqrt),
  unary('CBRT', 'The cube root of a value.', Math.cbrt),
  unary('EXP', 'e raised to the power of the value.', Math.exp),
  unary('LN', 'The natural logarithm of a value.', Math.log),
  scalar('LOG', 'The natural logarithm of a value, or the logarithm to the given base.', [
    fn('value DOUBLE', 'DOUBLE', strict(Math.log)),
    // ksqlDB's Log: a base <= 0 or 1 has no logarithm (NaN, not ln(v)/ln(b)'s -0 or Infinity).
    fn('base DOUBLE, value DOUBLE', 'DOUBLE', strict((b: number, v: number) => (b <= 0 || b === 1 ? NaN : Math.log(v) / Math.log(b)))),
  ]),
  unary('SIN', 'The sine of an angle in radians.', Math.sin),
  unary('COS', 'The cosine of an angle in radians.', Math.cos),
  unary('TAN', 'The tangent of an angle in radians.', Math.tan),
  unary('COT', 'The cotangent of an angle in radians.', (x) => 1 / Math.tan(x)),
  unary('ASIN', 'The arc sine of a value, in radians.', Math.asin),
  unary('ACOS', 'The arc cosine of a value, in radians.', Math.acos),
  unary('ATAN', 'The arc tangent of a value, in radians.', Math.atan),
  unary('SINH', 'The hyperbolic sine of a value.', Math.sinh),
  unary('COSH', 'The hyperbolic cosine of a value.', Math.cosh),
  unary('TANH', 'The hyperbolic tangent of a value.', Math.tanh),
  unary('DEGREES', 'Converts radians to degrees.', (x) => x * RADIANS_TO_DEGREES),
  unary('RADIANS', 'Converts degrees to radians.', (x) => x * DEGREES_TO_RADIANS),
  scalar('ATAN2', 'The angle theta of the polar coordinates of (x, y), given y then x.', [
    fn('y DOUBLE, x DOUBLE', 'DOUBLE', strict(Math.atan2)),
  ]),
  scalar('PI', 'The constant pi.', [fn('', 'DOUBLE', () => Math.PI)]),
  scalar('RANDOM', 'A random DOUBLE in [0.0, 1.0).', [fn('', 'DOUBLE', () => Math.random(), { deterministic: false })]),
  scalar('GEO_DISTANCE', "The great-circle distance between two lat/lon points, in 'KM' (default) or 'MI'.", [
    fn('lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE', 'DOUBLE', strict(geoDistance)),
    // As ksqlDB: a NULL or blank unit means the default, KM; NULL coordinates give NULL.
    fn('lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE, unit STRING', 'DOUBLE', (lat1: number | null, lon1: number | null, lat2: number | null, lon2: number | null, unit: string | null) =>
      lat1 === null || lon1 === null || lat2 === null || lon2 === null ? null : geoDistance(lat1, lon1, lat2, lon2, unit === null || unit.trim() === '' ? 'KM' : unit.trim()),
    ),
  ]),
  extremeFunction('GREATEST', 1, 'highest'),
  extremeFunction('LEAST', -1, 'lowest'),
];
