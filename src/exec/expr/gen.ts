/**
 * Code-generation state for compiled expressions. An expression compiles to the source of one
 * JavaScript function `(row) => value`, built with `new Function`, so each query's expression
 * gets its own machine code and type feedback (a closure tree shares code between all queries
 * and its call sites go megamorphic).
 *
 * Conventions:
 * - emitting a node appends statements to the current block and returns a Val whose `code` is
 *   cheap and side-effect free to evaluate again (an identifier, a literal, `c[i]`, `row.ts`);
 *   anything else is first assigned to a temporary;
 * - temporaries are declared once at the top of their function (`let t0, t1;`), so statements
 *   in nested blocks (lazy branches of AND/OR/CASE) assign them freely;
 * - constants that have no source form (decimals, functions, helpers) are passed in an array
 *   and bound to `const kN` identifiers outside the row function;
 * - `c` is the row's columns, `row` the row.
 */

export interface Val {
  readonly code: string;
  /** Statically known never to be NULL (lets the generator drop null checks). */
  readonly nn: boolean;
}

/** One JavaScript function being generated (the row function, or a lambda). */
export class FnScope {
  lines: string[] = [];
  readonly temps: string[] = [];
}

export class Gen {
  readonly consts: unknown[] = [];
  private readonly helperNames = new Map<unknown, string>();
  private nextTemp = 0;
  private nextParam = 0;
  private nextLabel = 0;
  /** Lambda parameter bindings, innermost last: SQL name -> JS identifier. */
  readonly lambdaScopes: Map<string, string>[] = [];

  /** An identifier bound to `value` in the generated code. Equal helpers share one identifier. */
  k(value: unknown): string {
    const existing = typeof value === 'function' ? this.helperNames.get(value) : undefined;
    if (existing) return existing;
    const name = `k${this.consts.length}`;
    this.consts.push(value);
    if (typeof value === 'function') this.helperNames.set(value, name);
    return name;
  }

  temp(s: FnScope): string {
    const t = `t${this.nextTemp++}`;
    s.temps.push(t);
    return t;
  }

  /** A fresh statement label (labelled blocks nest, so each needs its own name). */
  label(): string {
    return `L${this.nextLabel++}`;
  }

  param(): string {
    return `p${this.nextParam++}`;
  }

  lambdaParam(name: string): string {
    for (let i = this.lambdaScopes.length - 1; i >= 0; i--) {
      const id = this.lambdaScopes[i].get(name);
      if (id) return id;
    }
    throw new Error(`lambda parameter ${name} is not bound`);
  }

  /** Assigns `expr` to a new temporary; the Val names it. */
  assign(s: FnScope, expr: string, nn: boolean): Val {
    const t = this.temp(s);
    s.lines.push(`${t} = ${expr};`);
    return { code: t, nn };
  }

  /** Runs `f` with statements going to a fresh block; returns the block's statements. */
  block(s: FnScope, f: () => void): string {
    const saved = s.lines;
    s.lines = [];
    try {
      f();
      return s.lines.join('\n');
    } finally {
      s.lines = saved;
    }
  }

  /** `const kN = k[N];` for every constant. */
  prologue(): string {
    return this.consts.map((_, i) => `const k${i} = k[${i}];`).join('\n');
  }
}

/**
 * `a == null || b == null` over the nullable values, or '' when none can be NULL. Loose equality:
 * an `undefined` (a value missing against the invariant) behaves as NULL, at no cost.
 */
export function anyNull(...vals: Val[]): string {
  return vals
    .filter((v) => !v.nn)
    .map((v) => `${v.code} == null`)
    .join(' || ');
}

/** `a != null && b != null && `-prefix for a condition that needs non-null operands. */
export function allNonNull(...vals: Val[]): string {
  return vals
    .filter((v) => !v.nn)
    .map((v) => `${v.code} != null && `)
    .join('');
}

/** Declarations of a scope's temporaries. */
export const declareTemps = (s: FnScope): string => (s.temps.length ? `let ${s.temps.join(', ')};` : '');
