/**
 * Parser layer for the small pieces everything else uses: SQL types, durations (`5 MINUTES`),
 * numeric literals and WITH properties (with map literals: `MAP[...]`, `MAP(...)`).
 */
import type { Duration, Literal, LiteralMap, Properties, Span } from './ast.ts';
import { TIME_UNITS } from './keywords.ts';
import type { Token } from './lexer.ts';
import { ParserBase } from './parser-base.ts';
import { KsqlSyntaxError, preparingError } from './errors.ts';
import type { SqlType, StructField } from '../types/sql-type.ts';
import { BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP } from '../types/sql-type.ts';

const SIMPLE_TYPES: ReadonlyMap<string, SqlType> = new Map([
  ['BOOLEAN', BOOLEAN],
  ['INT', INTEGER],
  ['INTEGER', INTEGER],
  ['BIGINT', BIGINT],
  ['DOUBLE', DOUBLE],
  ['STRING', STRING],
  ['VARCHAR', STRING],
  ['BYTES', BYTES],
  ['TIMESTAMP', TIMESTAMP],
  ['DATE', DATE],
  ['TIME', TIME],
]);

const TYPE_NAMES = 'BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, TIMESTAMP, DATE, TIME, ARRAY, MAP, STRUCT';

const INT32_DIGITS = 9; // any 9-digit number fits in 32 bits
const MIN_INT = -(2n ** 31n);
const MAX_INT = 2n ** 31n - 1n;
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

const MAX_NESTING = 200;

const shorten = (raw: string): string => (raw.length > 40 ? `${raw.slice(0, 37)}...` : raw);

/** Resolves a custom type name (upper-cased or as quoted) to its definition. */
export type TypeLookup = (name: string) => SqlType | undefined;

export class TypeParser extends ParserBase {
  /** Custom types (CREATE TYPE) in scope; set by the caller. */
  customTypes: TypeLookup | null = null;

  /** Nesting depth of types/expressions, bounded so deep input fails with a SqlError, not a stack overflow. */
  protected depth = 0;

  protected enter(): void {
    if (++this.depth > MAX_NESTING) throw this.errorAt(`Statement nested too deeply (more than ${MAX_NESTING} levels)`);
  }

  // --- types ------------------------------------------------------------------------------

  sqlType(): SqlType {
    const t = this.tok;
    if (t.kind === 'QUOTED') {
      const custom = this.customTypes?.(t.value);
      if (custom) {
        this.next();
        return custom;
      }
      throw this.errorAt(`Unknown type '${t.value}'`);
    }
    if (t.kind !== 'WORD') {
      this.note('a type');
      this.fail();
    }
    this.enter();
    const r = this.sqlTypeInner(t);
    this.depth--;
    return r;
  }

  /**
   * ksqlDB's grammar lets any named type take parameters, `baseType ('(' typeParameter (','
   * typeParameter)* ')')?` with `typeParameter: INTEGER_VALUE | 'STRING'`, and ignores them
   * (`VARCHAR(255)`, `BIGINT(20)`, `VARCHAR(STRING)`); anything else there is its syntax error.
   */
  private typeParameters(): void {
    if (!this.acceptOp('(')) return;
    for (;;) {
      if (this.tok.kind === 'INTEGER' || this.isKw('STRING')) this.next();
      else throw new KsqlSyntaxError("Expecting {'STRING', INTEGER_VALUE}", this.tokenSpan(this.tok));
      if (this.acceptOp(')')) return;
      if (!this.acceptOp(',')) throw new KsqlSyntaxError("Expecting {',', ')'}", this.tokenSpan(this.tok));
    }
  }

  private sqlTypeInner(t: Token): SqlType {
    const simple = SIMPLE_TYPES.get(t.value);
    if (simple) {
      this.next();
      this.typeParameters();
      return simple;
    }
    switch (t.value) {
      case 'DECIMAL': {
        this.next();
        this.expectOp('(');
        const pTok = this.tok;
        const precision = this.smallInt('precision');
        this.expectOp(',');
        const sTok = this.tok;
        const scale = this.smallInt('scale');
        this.expectOp(')');
        if (precision < 1) throw this.errorAt(`DECIMAL precision must be at least 1, got ${precision}`, pTok);
        if (scale > precision) throw this.errorAt(`DECIMAL scale (${scale}) must not exceed its precision (${precision})`, sTok);
        return { kind: 'DECIMAL', precision, scale };
      }
      case 'ARRAY': {
        this.next();
        this.expectOp('<');
        const element = this.sqlType();
        this.closeAngle();
        return { kind: 'ARRAY', element };
      }
      case 'MAP': {
        this.next();
        this.expectOp('<');
        const key = this.sqlType();
        this.expectOp(',');
        const value = this.sqlType();
        this.closeAngle();
        return { kind: 'MAP', key, value };
      }
      case 'STRUCT': {
        this.next();
        if (this.isOp('<>')) {
          this.next();
          return { kind: 'STRUCT', fields: [] };
        }
        this.expectOp('<');
        const fields: StructField[] = [];
        if (!this.isOp('>')) {
          do {
            const nameTok = this.tok;
            const name = this.expectAnyName('field name');
            if (fields.some((f) => f.name === name)) throw this.errorAt(`Duplicate field '${name}' in STRUCT`, nameTok);
            fields.push({ name, type: this.sqlType() });
          } while (this.acceptOp(','));
        }
        this.closeAngle();
        return { kind: 'STRUCT', fields };
      }
      default: {
        const custom = this.customTypes?.(t.value);
        if (custom) {
          this.next();
          this.typeParameters();
          return custom;
        }
        // NULL is a literal, never a type: in ksqlDB's grammar a syntax error.
        if (t.value === 'NULL') throw this.errorAt(`Syntax error at or near 'NULL' at line ${t.line}:${t.column}: NULL is not a type; expected ${TYPE_NAMES}`);
        throw this.errorAt(`Unknown type '${t.image}': expected ${TYPE_NAMES} or a type from CREATE TYPE`);
      }
    }
  }

  /** `>` closing a type; `>>` never reaches here since the lexer has no such token. */
  private closeAngle(): void {
    this.expectOp('>');
  }

  /** Consumes an INTEGER token and returns it with its value; anything else fails (expected: `what`). */
  private integer(what: string): { readonly t: Token; readonly n: number } {
    const t = this.tok;
    if (t.kind !== 'INTEGER') {
      this.note(what);
      this.fail();
    }
    this.next();
    return { t, n: Number(t.value) };
  }

  private smallInt(what: string): number {
    const { t, n } = this.integer(what);
    if (n > 1000) throw this.errorAt(`${what} too large: ${t.value}`, t);
    return n;
  }

  // --- durations --------------------------------------------------------------------------

  /** `n UNIT`, e.g. `5 MINUTES`, `1 SECOND` (normalised to the plural). */
  duration(): Duration {
    const { t, n: value } = this.integer('a number');
    if (!Number.isSafeInteger(value)) throw this.errorAt(`Duration too large: ${t.value}`, t);
    return { value, unit: this.timeUnit() };
  }

  protected timeUnit(): Duration['unit'] {
    const u = this.tok;
    const unit = u.kind === 'WORD' ? TIME_UNITS.get(u.value) : undefined;
    if (unit === undefined) {
      this.note('a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS, ...)');
      this.fail();
    }
    this.next();
    return unit;
  }

  /** A non-negative integer, e.g. for LIMIT. */
  protected count(what = 'a number'): number {
    const { t, n } = this.integer(what);
    if (!Number.isSafeInteger(n)) throw this.errorAt(`Number too large: ${t.value}`, t);
    return n;
  }

  // --- literals ---------------------------------------------------------------------------

  /** A numeric literal from its source text (with an optional leading '-'). */
  protected numericLiteral(t: Token, raw: string, span: Span): Literal {
    switch (t.kind) {
      case 'DECIMAL':
        return { kind: 'Literal', type: 'DECIMAL', raw, span };
      case 'DOUBLE':
        // Beyond DOUBLE's range the value would silently be Infinity (1e-400 rounds to 0, as any double).
        if (!Number.isFinite(Number(raw))) throw preparingError('PARSE', `Number overflows DOUBLE: ${shorten(raw)}`, span);
        return { kind: 'Literal', type: 'DOUBLE', raw, span };
      default: {
        const digits = raw.length - (raw[0] === '-' ? 1 : 0);
        if (digits <= INT32_DIGITS) return { kind: 'Literal', type: 'INTEGER', raw, span };
        // More digits than any 64-bit value has (leading zeros aside): not worth a BigInt parse.
        const v = digits > 40 && !/^-?0/.test(raw) ? MAX_LONG + 1n : BigInt(raw);
        if (v >= MIN_INT && v <= MAX_INT) return { kind: 'Literal', type: 'INTEGER', raw, span };
        if (v >= MIN_LONG && v <= MAX_LONG) return { kind: 'Literal', type: 'BIGINT', raw, span };
        throw preparingError('PARSE', `Invalid numeric literal: ${shorten(raw)} (out of range for BIGINT: use a DECIMAL, e.g. ${shorten(raw)}.0)`, span);
      }
    }
  }

  /** `X'0A1B'`: raw is the upper-case hex digits. */
  protected bytesLiteral(t: Token): Literal {
    if (!/^[0-9a-fA-F]*$/.test(t.value) || t.value.length % 2 !== 0) {
      throw this.errorAt(`Invalid BYTES literal ${t.image}: expected an even number of hex digits`, t);
    }
    return { kind: 'Literal', type: 'BYTES', raw: t.value.toUpperCase(), span: this.span(t, t) };
  }

  /** A literal in WITH (...): string, number (optionally negative), TRUE, FALSE or NULL. */
  protected propertyValue(): Literal {
    const t = this.tok;
    switch (t.kind) {
      case 'STRING':
        this.next();
        return { kind: 'Literal', type: 'STRING', raw: t.value, span: this.span(t) };
      case 'INTEGER':
      case 'DECIMAL':
      case 'DOUBLE':
        this.next();
        return this.numericLiteral(t, t.image, this.span(t));
      case 'OP': {
        const n = this.peek(1);
        if (t.value === '-' && (n.kind === 'INTEGER' || n.kind === 'DECIMAL' || n.kind === 'DOUBLE')) {
          this.next();
          this.next();
          return this.numericLiteral(n, `-${n.image}`, this.span(t));
        }
        break;
      }
      case 'WORD':
        if (t.value === 'TRUE' || t.value === 'FALSE') {
          this.next();
          return { kind: 'Literal', type: 'BOOLEAN', raw: t.value, span: this.span(t) };
        }
        if (t.value === 'NULL') {
          this.next();
          return { kind: 'Literal', type: 'NULL', raw: 'NULL', span: this.span(t) };
        }
        break;
      default:
        break;
    }
    this.note('a literal value');
    return this.fail();
  }

  /**
   * A map of literals as a property value: Flink's `MAP['k', v, ...]` (keys and values
   * alternating) or ksqlDB's `MAP('k' := v, ...)`. Keys are strings; values literals (strings,
   * numbers, booleans, NULL), so they keep their type.
   */
  protected literalMap(): LiteralMap {
    const first = this.expectKw('MAP');
    const entries: { key: string; value: Literal }[] = [];
    const seen = new Set<string>();
    const add = (keyTok: Token, value: Literal) => {
      if (seen.has(keyTok.value)) throw this.errorAt(`Duplicate key '${keyTok.value}' in the map`, keyTok);
      seen.add(keyTok.value);
      entries.push({ key: keyTok.value, value });
    };
    if (this.acceptOp('[')) {
      const items: { tok: Token; value: Literal }[] = [];
      if (!this.isOp(']')) {
        do items.push({ tok: this.tok, value: this.mapValue() });
        while (this.acceptOp(','));
      }
      const close = this.tok;
      this.expectOp(']');
      if (items.length % 2 !== 0) throw this.errorAt(`MAP[...] takes keys and values in pairs ('k1', v1, 'k2', v2, ...): found ${items.length} elements`, close);
      for (let i = 0; i < items.length; i += 2) {
        const k = items[i]!;
        if (k.value.type !== 'STRING') throw this.errorAt(`map keys must be strings in quotes, found '${k.tok.image}'`, k.tok);
        add(k.tok, items[i + 1]!.value);
      }
    } else {
      this.expectOp('(');
      if (!this.isOp(')')) {
        do {
          const keyTok = this.tok;
          if (keyTok.kind !== 'STRING') throw this.errorAt(`map keys must be strings in quotes, found '${keyTok.image}'`, keyTok);
          this.next();
          this.expectOp(':=');
          add(keyTok, this.mapValue());
        } while (this.acceptOp(','));
      }
      this.expectOp(')');
    }
    return { entries, span: this.span(first) };
  }

  /** A literal map element, with an error that says why anything else is refused. */
  private mapValue(): Literal {
    const t = this.tok;
    const literalStart = t.kind === 'STRING' || t.kind === 'INTEGER' || t.kind === 'DECIMAL' || t.kind === 'DOUBLE' || (t.kind === 'OP' && t.value === '-') || (t.kind === 'WORD' && ['TRUE', 'FALSE', 'NULL'].includes(t.value));
    if (!literalStart) throw this.errorAt(`map values must be literals (strings, numbers, TRUE/FALSE, NULL), found '${t.image}'`, t);
    const v = this.propertyValue();
    if (this.isOp('(') || this.isOp('+') || this.isOp('*') || this.isOp('/') || this.isOp('||') || this.isOp('-')) throw this.errorAt(`map values must be literals (strings, numbers, TRUE/FALSE, NULL), found an expression`, this.tok);
    return v;
  }
  /**
   * `(KEY = value, ...)`: keys upper-cased; `REPLICATION FACTOR` is REPLICATION_FACTOR. Keys in
   * `mapKeys` may also take a map literal (`MAP[...]`, `MAP(...)`), which goes to `maps`.
   */
  protected properties(maps?: Map<string, LiteralMap>, mapKeys?: ReadonlySet<string>): Properties {
    const props = new Map<string, Literal>();
    this.expectOp('(');
    do {
      const keyTok = this.tok;
      let key: string;
      if (keyTok.kind === 'STRING') {
        key = keyTok.value.trim().toUpperCase().replace(/\s+/g, '_');
        this.next();
      } else {
        key = this.expectAnyName('a property name').toUpperCase();
        if (key === 'REPLICATION' && this.isKw('FACTOR')) {
          this.next();
          key = 'REPLICATION_FACTOR';
        }
      }
      if (props.has(key) || maps?.has(key)) throw this.errorAt(`Duplicate property ${key}`, keyTok);
      this.expectOp('=');
      if (maps && mapKeys?.has(key) && this.isKw('MAP') && (this.isOp('[', 1) || this.isOp('(', 1))) maps.set(key, this.literalMap());
      else props.set(key, this.propertyValue());
    } while (this.acceptOp(','));
    this.expectOp(')');
    return props;
  }
}
