/**
 * Statement mutations for the SQL fuzz test: token deletion, duplication, swaps, splices from
 * other statements, truncation, huge literals and identifiers, deep nesting (operator chains,
 * parentheses, CASE branches, NOT, function calls, subscripts), unicode and NUL bytes.
 * Deterministic: everything comes from the Rng passed in.
 */

import { mulberry32 } from '../helpers/random.ts';

/** The shared seeded generator (../helpers/random.ts) with the picks the mutations need. */
export class Rng {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Mostly small, sometimes large: sizes for nesting and literals. */
  size(small: number, large: number): number {
    return this.chance(0.7) ? 1 + this.int(small) : small + this.int(large - small);
  }
}

/** A seed (e.g. of a run) and an index combined into one 32-bit seed. */
export function mixSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index >>> 0), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// Tokens for mutation (not the project's lexer: mutations must not depend on what it accepts).
const TOKEN =
  /\s+|--[^\n]*|'(?:[^']|'')*'?|`[^`]*`?|"[^"]*"?|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_@$]*|->|=>|:=|<>|!=|<=|>=|\$\{[^}]*\}?|[\s\S]/g;

export function tokens(sql: string): string[] {
  return sql.match(TOKEN) ?? [];
}

const isSpace = (t: string) => /^\s/.test(t);
const isIdent = (t: string) => /^[A-Za-z_]/.test(t) && !KEYWORDS.includes(t.toUpperCase());
const isNumber = (t: string) => /^\.?\d/.test(t);

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'AS', 'AND', 'OR', 'NOT', 'NULL', 'IS', 'IN', 'LIKE', 'BETWEEN',
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'CAST', 'JOIN', 'LEFT', 'FULL', 'OUTER', 'INNER', 'ON', 'WITHIN', 'WINDOW',
  'TUMBLING', 'HOPPING', 'SESSION', 'SIZE', 'ADVANCE', 'GRACE', 'PERIOD', 'EMIT', 'CHANGES', 'FINAL', 'PARTITION',
  'CREATE', 'STREAM', 'TABLE', 'INSERT', 'INTO', 'VALUES', 'DROP', 'TERMINATE', 'SHOW', 'DESCRIBE', 'EXPLAIN', 'PRINT',
  'LIMIT', 'KEY', 'PRIMARY', 'WITH', 'ARRAY', 'MAP', 'STRUCT', 'DISTINCT', 'OVER', 'TYPE', 'REPLACE', 'IF', 'EXISTS',
  'TRUE', 'FALSE', 'INT', 'BIGINT', 'DOUBLE', 'STRING', 'DECIMAL', 'BOOLEAN', 'BYTES', 'TIMESTAMP', 'DATE', 'TIME',
];
const PUNCT = ['(', ')', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<>', '<', '>', '<=', '>=', '[', ']', '->', '=>', ':=', "'", '"', '`', '${', '--', '/*', '*/', '||'];
const FUNCTIONS = ['ABS', 'UCASE', 'CONCAT', 'COALESCE', 'IFNULL', 'ROUND', 'LEN', 'SUBSTRING', 'CAST_AS', 'ARRAY_LENGTH', 'COUNT', 'SUM', 'MAX', 'TRANSFORM', 'EXPLODE', 'NO_SUCH_FN'];

const STRANGE = [
  '\u0000', '\u0001', '\u007f', '\u00e9', '\u00df', '\u0130', '\u200b', '\u200e', '\u202e', '\ufeff', '\uffff', '\ud800', '\udfff',
  '\u{1f600}', '\u{10ffff}', 'Ω', '漢字', 'ﬁ', '\r', '\r\n', '\t', '\\', '\u2028', '\u00a0', '\u0085',
];

function hugeLiteral(r: Rng): string {
  switch (r.int(12)) {
    case 0:
      return '9'.repeat(r.size(30, 100_000));
    case 1:
      return `1e${r.pick(['400', '-400', '308', '999999999', '99999999999999999999', '-999999999'])}`;
    case 2:
      return r.pick(['9223372036854775808', '-9223372036854775809', '9223372036854775807', '-9223372036854775808', '2147483648', '-2147483649']);
    case 3:
      return `${'1'.repeat(r.size(20, 5000))}.${'5'.repeat(r.size(20, 5000))}`;
    case 4:
      return `'${'x'.repeat(r.size(100, 1_000_000))}'`;
    case 5:
      return `X'${'ab'.repeat(r.size(10, 100_000))}'`;
    case 6:
      return `0.${'0'.repeat(r.size(30, 5000))}1`;
    case 7:
      return '1.7976931348623159E308';
    case 8:
      return `'${r.pick(STRANGE).repeat(r.size(5, 10_000))}'`;
    case 9:
      return '-0';
    case 10:
      return `${r.int(1000)}.${'0'.repeat(r.size(5, 50))}`;
    default:
      return String(2 ** r.int(70));
  }
}

function hugeIdentifier(r: Rng): string {
  switch (r.int(5)) {
    case 0:
      return 'A'.repeat(r.size(100, 200_000));
    case 1:
      return `\`${r.pick(STRANGE).repeat(r.size(3, 5000))}\``;
    case 2:
      return `\`${'x'.repeat(r.size(100, 100_000))}\``;
    case 3:
      return `"${'y'.repeat(r.size(100, 10_000))}"`;
    default:
      return `${r.pick(['a', 'X', 'col'])}${r.pick(STRANGE)}`;
  }
}

/** An expression of nesting `n` around `leaf`, in one of the shapes that nest. */
export function deepExpr(r: Rng, n: number, leaf: string): string {
  switch (r.int(11)) {
    case 0:
      return `${'1 + '.repeat(n)}${leaf}`;
    case 1:
      return `${'('.repeat(n)}${leaf}${')'.repeat(n)}`;
    case 2:
      return `CASE ${Array.from({ length: n }, (_, i) => `WHEN ${leaf} = ${i} THEN ${i}`).join(' ')} ELSE 0 END`;
    case 3:
      return Array(n + 1).fill(`${leaf} = 1`).join(' OR ');
    case 4:
      return `${'NOT '.repeat(n)}${leaf}`;
    case 5:
      return `${'ABS('.repeat(n)}${leaf}${')'.repeat(n)}`;
    case 6:
      return `${leaf}${'[1]'.repeat(n)}`;
    case 7:
      return `${'CASE WHEN TRUE THEN '.repeat(n)}${leaf}${' ELSE NULL END'.repeat(n)}`;
    case 8:
      return `${'- '.repeat(n)}${leaf}`;
    case 9:
      return `${'ARRAY['.repeat(n)}${leaf}${']'.repeat(n)}`;
    default:
      return `${leaf}${' || ' + leaf}`.repeat(1) + ` ${'AND TRUE '.repeat(n)}`;
  }
}

const MAX_INPUT_CHARS = 1_000_000;

/** One mutated version of `sql`; `other` gives statements to splice from. */
export function mutate(r: Rng, sql: string, other: () => string): string {
  let toks = tokens(sql);
  const rounds = r.chance(0.7) ? 1 : r.chance(0.7) ? 2 : 3;
  let length = sql.length;
  for (let round = 0; round < rounds; round++) {
    const before = toks.slice();
    const solid = toks.map((t, i) => (isSpace(t) ? -1 : i)).filter((i) => i >= 0);
    const at = solid.length ? r.pick(solid) : 0;
    switch (r.int(14)) {
      case 0: // delete a token
        toks.splice(at, 1);
        break;
      case 1: // duplicate a token (or a run of tokens)
        toks.splice(at, 0, ...toks.slice(at, at + 1 + r.int(4)));
        break;
      case 2: {
        // swap two tokens
        const b = solid.length ? r.pick(solid) : 0;
        [toks[at], toks[b]] = [toks[b], toks[at]];
        break;
      }
      case 3: {
        // splice a run of tokens from another statement
        const src = tokens(other());
        const from = r.int(src.length + 1);
        toks.splice(at, r.int(3), ...src.slice(from, from + 1 + r.int(12)));
        break;
      }
      case 4: // truncate
        toks = toks.slice(0, r.int(toks.length + 1));
        break;
      case 5: {
        // a huge or odd literal in place of a number (or anywhere)
        const nums = solid.filter((i) => isNumber(toks[i]) || toks[i].startsWith("'"));
        toks[nums.length ? r.pick(nums) : at] = hugeLiteral(r);
        break;
      }
      case 6: {
        const ids = solid.filter((i) => isIdent(toks[i]));
        toks[ids.length ? r.pick(ids) : at] = hugeIdentifier(r);
        break;
      }
      case 7:
      case 8: {
        // deep nesting in place of an identifier or number
        const leaves = solid.filter((i) => isIdent(toks[i]) || isNumber(toks[i]));
        const i = leaves.length ? r.pick(leaves) : at;
        // Around the nesting limit (500) as often as far beyond it.
        const n = r.chance(0.4) ? 1 + r.int(200) : r.chance(0.5) ? 200 + r.int(300) : 500 + r.int(5500);
        const leaf = toks[i] === undefined || toks[i].length > 100 ? 'x' : toks[i];
        toks[i] = deepExpr(r, n, leaf);
        break;
      }
      case 9: // unicode, NUL and control characters
        toks.splice(r.int(toks.length + 1), 0, r.pick(STRANGE).repeat(1 + r.int(3)));
        break;
      case 10: // a keyword in place of a token
        toks[at] = r.pick(KEYWORDS);
        break;
      case 11: // punctuation
        toks.splice(r.int(toks.length + 1), 0, r.pick(PUNCT));
        break;
      case 12: // a function call wrapped around an identifier
      {
        const ids = solid.filter((i) => isIdent(toks[i]));
        if (ids.length) {
          const i = r.pick(ids);
          toks[i] = `${r.pick(FUNCTIONS)}(${toks[i]}${r.chance(0.3) ? `, ${hugeLiteral(r)}` : ''})`;
        }
        break;
      }
      default: {
        // a long list (wide, not deep): IN list, select items, GROUP BY terms
        const wanted = r.size(100, 5000);
        const leaves = solid.filter((i) => isIdent(toks[i]));
        const leaf = leaves.length ? toks[r.pick(leaves)] : '1';
        const n = Math.min(wanted, Math.floor(MAX_INPUT_CHARS / (leaf.length + 2)));
        toks.splice(at, 0, Array(n).fill(leaf).join(', '));
        break;
      }
    }
    toks = toks.filter((t) => t !== undefined);
    // Inputs stay below ~1 MB: rounds compound (a huge token duplicated into a long list).
    const grown = toks.reduce((n, t) => n + t.length, 0);
    if (grown > MAX_INPUT_CHARS && grown > length) toks = before;
    else length = grown;
  }
  return toks.join('');
}
