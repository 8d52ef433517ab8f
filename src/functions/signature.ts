/**
 * Compact overload declarations and ksqlDB's overload resolution.
 *
 * An overload is declared with a parameter list in text, e.g. `'str STRING, pos INT, len INT'`,
 * `'arr ARRAY<T>, item T'`, `'vals T...'` (varargs), `'fn (T) => U'` (a lambda), `'unit UNIT'`
 * (a time-unit keyword), `'s STRUCT'` (any struct), `'d DECIMAL'` (any precision/scale), `'o ANY'`
 * (any type, Java `Object`). Generic type variables are 1–2 capital letters (`T`, `K`, `V`, `S`).
 *
 * Resolution follows ksqlDB's UdfIndex: first without implicit casts, then with them (numbers
 * widen INTEGER → BIGINT → DECIMAL → DOUBLE); among matches prefer non-variadic, then more
 * declared parameters, then fewer generic parameters, then (our addition, where ksqlDB reports an
 * ambiguity) the cheapest widening. Generic variables bind to the first argument's type; later
 * occurrences must be the same type (DECIMALs of different precision unify to the wider one),
 * except that the cast pass widens a generic to a common numeric type (IFNULL(bigint, 0) is
 * BIGINT). String literals cast to TIMESTAMP/DATE/TIME parameters ('2022-06-14', '09:16:00').
 * An untyped NULL matches any parameter.
 *
 * Invariant: an implementation receives argument values already converted to the parameter's
 * type (an INTEGER passed to a DOUBLE parameter arrives as a number, to a DECIMAL as a Decimal),
 * and variadic arguments packed into one array as its last argument.
 */
import type { ResolveContext } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import { formatType } from '../types/sql-type.ts';

export type TypePattern =
  | { readonly p: 'type'; readonly type: SqlType }
  | { readonly p: 'decimal' }
  | { readonly p: 'struct' }
  | { readonly p: 'any' }
  | { readonly p: 'unit' }
  | { readonly p: 'generic'; readonly name: string }
  | { readonly p: 'array'; readonly element: TypePattern }
  | { readonly p: 'map'; readonly key: TypePattern; readonly value: TypePattern }
  | { readonly p: 'lambda'; readonly params: readonly TypePattern[]; readonly result: TypePattern };

export interface Param {
  readonly name: string;
  readonly type: TypePattern;
}

/** Facts about a matched call, given to return-type functions and implementation factories. */
export interface CallInfo {
  /** Argument types after implicit widening; null for untyped NULL, lambda and unit arguments. */
  readonly types: readonly (SqlType | null)[];
  readonly bindings: ReadonlyMap<string, SqlType>;
  readonly ctx: ResolveContext;
}

export type ReturnSpec = string | ((call: CallInfo) => SqlType | string);
export type Impl = (...args: any[]) => unknown;

export interface Overload<I = Impl> {
  readonly params: readonly Param[];
  readonly variadic: boolean;
  /** The variadic parameter's index (any position, as ksqlDB allows), or -1. */
  readonly variadicAt: number;
  readonly returns: ReturnSpec;
  readonly returnPattern: TypePattern | null;
  /** Builds the implementation for one call site (may look at literal arguments). */
  readonly make: (call: CallInfo, returnType: SqlType) => I | string;
  readonly deterministic: boolean;
  readonly signature: string;
}

// ---------------------------------------------------------------------------------------------
// Parsing patterns

const NAMED: Record<string, SqlType> = {
  BOOLEAN: { kind: 'BOOLEAN' },
  INT: { kind: 'INTEGER' },
  INTEGER: { kind: 'INTEGER' },
  BIGINT: { kind: 'BIGINT' },
  DOUBLE: { kind: 'DOUBLE' },
  STRING: { kind: 'STRING' },
  VARCHAR: { kind: 'STRING' },
  BYTES: { kind: 'BYTES' },
  TIMESTAMP: { kind: 'TIMESTAMP' },
  DATE: { kind: 'DATE' },
  TIME: { kind: 'TIME' },
};

class PatternParser {
  private pos = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }
  private ws(): void {
    while (this.pos < this.src.length && this.src[this.pos] === ' ') this.pos++;
  }
  private peek(s: string): boolean {
    this.ws();
    return this.src.startsWith(s, this.pos);
  }
  private expect(s: string): void {
    if (!this.peek(s)) throw new Error(`bad type pattern '${this.src}' at ${this.pos}: expected ${s}`);
    this.pos += s.length;
  }
  private word(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw new Error(`bad type pattern '${this.src}' at ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }
  atEnd(): boolean {
    this.ws();
    return this.pos >= this.src.length;
  }
  pattern(): TypePattern {
    if (this.peek('(')) {
      this.expect('(');
      const params: TypePattern[] = [];
      if (!this.peek(')')) {
        params.push(this.pattern());
        while (this.peek(',')) {
          this.expect(',');
          params.push(this.pattern());
        }
      }
      this.expect(')');
      this.expect('=>');
      return { p: 'lambda', params, result: this.pattern() };
    }
    const w = this.word();
    switch (w) {
      case 'ARRAY': {
        this.expect('<');
        const element = this.pattern();
        this.expect('>');
        // Concrete element: a concrete type (matched exactly).
        return element.p === 'type' ? { p: 'type', type: { kind: 'ARRAY', element: element.type } } : { p: 'array', element };
      }
      case 'MAP': {
        this.expect('<');
        const key = this.pattern();
        this.expect(',');
        const value = this.pattern();
        this.expect('>');
        return key.p === 'type' && value.p === 'type'
          ? { p: 'type', type: { kind: 'MAP', key: key.type, value: value.type } }
          : { p: 'map', key, value };
      }
      case 'STRUCT': {
        if (!this.peek('<')) return { p: 'struct' };
        this.expect('<');
        const fields: { name: string; type: SqlType }[] = [];
        do {
          if (fields.length) this.expect(',');
          const name = this.word();
          const t = this.pattern();
          if (t.p !== 'type') throw new Error(`struct field patterns must be concrete: ${this.src}`);
          fields.push({ name, type: t.type });
        } while (this.peek(','));
        this.expect('>');
        return { p: 'type', type: { kind: 'STRUCT', fields } };
      }
      case 'DECIMAL':
        if (this.peek('(')) {
          this.expect('(');
          const p = this.num();
          this.expect(',');
          const s = this.num();
          this.expect(')');
          return { p: 'type', type: { kind: 'DECIMAL', precision: p, scale: s } };
        }
        return { p: 'decimal' };
      case 'ANY':
        return { p: 'any' };
      case 'UNIT':
        return { p: 'unit' };
      default:
        if (NAMED[w]) return { p: 'type', type: NAMED[w] };
        if (/^[A-Z][A-Z0-9]?$/.test(w)) return { p: 'generic', name: w };
        throw new Error(`unknown type '${w}' in pattern '${this.src}'`);
    }
  }
  private num(): number {
    this.ws();
    const m = /^\d+/.exec(this.src.slice(this.pos));
    if (!m) throw new Error(`bad type pattern '${this.src}'`);
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

export function parsePattern(src: string): TypePattern {
  const p = new PatternParser(src);
  const t = p.pattern();
  if (!p.atEnd()) throw new Error(`trailing text in type pattern '${src}'`);
  return t;
}

/** Splits on commas outside <> and (). */
function splitTop(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' && src[i - 1] !== '=') depth--;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(src.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = src.slice(start).trim();
  if (last) out.push(last);
  return out;
}

export function parseParams(src: string): { params: Param[]; variadic: boolean; variadicAt: number } {
  const params: Param[] = [];
  let variadicAt = -1;
  const parts = splitTop(src);
  parts.forEach((part, i) => {
    let text = part;
    if (text.endsWith('...')) {
      if (variadicAt >= 0) throw new Error(`only one parameter can be variadic: ${src}`);
      variadicAt = i;
      text = text.slice(0, -3).trim();
    }
    const m = /^([a-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(text);
    params.push(m ? { name: m[1], type: parsePattern(m[2]) } : { name: '', type: parsePattern(text) });
  });
  return { params, variadic: variadicAt >= 0, variadicAt };
}

export function formatPattern(t: TypePattern): string {
  switch (t.p) {
    case 'type':
      return formatType(t.type);
    case 'decimal':
      return 'DECIMAL';
    case 'struct':
      return 'STRUCT';
    case 'any':
      return 'ANY';
    case 'unit':
      return 'INTERVALUNIT';
    case 'generic':
      return t.name;
    case 'array':
      return `ARRAY<${formatPattern(t.element)}>`;
    case 'map':
      return `MAP<${formatPattern(t.key)}, ${formatPattern(t.value)}>`;
    case 'lambda':
      return `LAMBDA (${t.params.map(formatPattern).join(', ')}) => ${formatPattern(t.result)}`;
  }
}

export function hasGenerics(t: TypePattern): boolean {
  switch (t.p) {
    case 'generic':
      return true;
    case 'array':
      return hasGenerics(t.element);
    case 'map':
      return hasGenerics(t.key) || hasGenerics(t.value);
    case 'lambda':
      return t.params.some(hasGenerics) || hasGenerics(t.result);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Declaring overloads

export interface OverloadOptions {
  /** False for RANDOM, UUID, ...: no constant folding. */
  readonly deterministic?: boolean;
  /** Text of the return type in the signature when `returns` is a function. */
  readonly returnLabel?: string;
}

function build<I>(
  name: string,
  paramText: string,
  returns: ReturnSpec,
  make: (call: CallInfo, returnType: SqlType) => I | string,
  opts: OverloadOptions = {},
): Overload<I> {
  const { params, variadic, variadicAt } = parseParams(paramText);
  const returnPattern = typeof returns === 'string' ? parsePattern(returns) : null;
  const ps = params.map((p, i) => {
    const t = i === variadicAt ? `${formatPattern(p.type)}...` : formatPattern(p.type);
    return p.name ? `${p.name} ${t}` : t;
  });
  const ret = returnPattern ? formatPattern(returnPattern) : (opts.returnLabel ?? 'ANY');
  return {
    params,
    variadic,
    variadicAt,
    returns,
    returnPattern,
    make,
    deterministic: opts.deterministic ?? true,
    signature: `${name}(${ps.join(', ')}) -> ${ret}`,
  };
}

/** Declares an overload whose implementation is fixed (name is filled in by `scalar`). */
export function fn(params: string, returns: ReturnSpec, impl: Impl, opts?: OverloadOptions): PendingOverload<Impl> {
  return (name) => build(name, params, returns, () => impl, opts);
}

/** Declares an overload whose implementation is built per call site (e.g. a cached formatter). */
export function fnMake(
  params: string,
  returns: ReturnSpec,
  make: (call: CallInfo, returnType: SqlType) => Impl | string,
  opts?: OverloadOptions,
): PendingOverload<Impl> {
  return (name) => build(name, params, returns, make, opts);
}

/** Generic form for table functions and aggregates. */
export function overload<I>(
  params: string,
  returns: ReturnSpec,
  make: (call: CallInfo, returnType: SqlType) => I | string,
  opts?: OverloadOptions,
): PendingOverload<I> {
  return (name) => build(name, params, returns, make, opts);
}

export type PendingOverload<I> = (name: string) => Overload<I>;

/**
 * Wraps an implementation so it returns null when any argument is null (most UDFs do). The check
 * covers every argument actually passed (not `f.length`, which ignores defaulted parameters).
 */
export function strict(f: Impl): Impl {
  return function (this: unknown) {
    for (let i = 0; i < arguments.length; i++) if (arguments[i] === null) return null;
    // eslint-disable-next-line prefer-rest-params
    return f.apply(null, arguments as unknown as unknown[]);
  };
}
