/**
 * Parser layer for function calls: arguments (expressions, lambdas `x => ...` / `(x, y) => ...`,
 * time-unit keywords) and the OVER clause of running aggregates. The expression grammar itself
 * comes from the subclass (ExprParser), hence the abstract `expr`.
 */
import type { Duration, Expr, FunctionCall, Lambda, OverClause } from './ast.ts';
import { RESERVED, TIME_UNITS, UNIT_ARGUMENTS } from './keywords.ts';
import type { Token } from './lexer.ts';
import { TypeParser } from './parse-type.ts';

export abstract class CallParser extends TypeParser {
  abstract expr(): Expr;

  protected functionCall(nameTok: Token): FunctionCall {
    this.expectOp('(');
    const args: Expr[] = [];
    let distinct = false;
    if (this.isOp('*') && this.isOp(')', 1)) {
      const s = this.next();
      args.push({ kind: 'Star', span: this.span(s) });
    } else if (!this.isOp(')')) {
      if (this.isKw('DISTINCT')) {
        this.next();
        distinct = true;
      }
      do args.push(this.functionArg());
      while (this.acceptOp(','));
    }
    this.expectOp(')');
    let over: OverClause | null = null;
    if (this.isKw('OVER') && this.isOp('(', 1)) over = this.overClause();
    return { kind: 'FunctionCall', name: nameTok.value, args, distinct, over, span: this.span(nameTok) };
  }

  /** A function argument: a lambda, a time unit keyword, or an expression. */
  private functionArg(): Expr {
    const t = this.tok;
    if (this.isLambdaParam(0) && this.isOp('=>', 1)) {
      this.next();
      this.next();
      return this.lambdaBody(t, [t.value]);
    }
    if (t.kind === 'OP' && t.value === '(' && this.lambdaParamsEnd() > 0) {
      this.next();
      const params: string[] = [];
      do {
        const p = this.next();
        if (params.includes(p.value)) throw this.errorAt(`Duplicate lambda parameter '${p.value}'`, p);
        params.push(p.value);
      } while (this.acceptOp(','));
      this.expectOp(')');
      this.expectOp('=>');
      return this.lambdaBody(t, params);
    }
    if (t.kind === 'WORD' && UNIT_ARGUMENTS.has(t.value) && (this.isOp(',', 1) || this.isOp(')', 1))) {
      this.next();
      return { kind: 'IntervalUnitRef', unit: TIME_UNITS.get(t.value)!, span: this.span(t) };
    }
    return this.expr();
  }

  private isLambdaParam(n: number): boolean {
    const t = this.peek(n);
    return (t.kind === 'WORD' && !RESERVED.has(t.value)) || t.kind === 'QUOTED';
  }

  /** Index (relative) of `=>` if the tokens ahead are `( a, b, ... ) =>`, else 0. */
  private lambdaParamsEnd(): number {
    let n = 1;
    for (;;) {
      if (!this.isLambdaParam(n)) return 0;
      n++;
      if (this.isOp(')', n)) return this.isOp('=>', n + 1) ? n + 1 : 0;
      if (!this.isOp(',', n)) return 0;
      n++;
    }
  }

  private lambdaBody(first: Token, params: string[]): Lambda {
    const body = this.expr();
    return { kind: 'Lambda', params, body, span: this.span(first) };
  }

  /** `OVER (PARTITION BY ... ORDER BY ... [ROWS|RANGE [BETWEEN] ... PRECEDING [AND CURRENT ROW]])` */
  private overClause(): OverClause {
    this.next();
    this.expectOp('(');
    let partitionBy: Expr[] = [];
    const orderBy: { expr: Expr; descending: boolean }[] = [];
    let frame: OverClause['frame'] = null;
    if (this.acceptKw('PARTITION')) {
      this.expectKw('BY');
      partitionBy = this.exprList();
    }
    if (this.acceptKw('ORDER')) {
      this.expectKw('BY');
      do {
        const expr = this.expr();
        const dir = this.acceptOneOf(['ASC', 'DESC']);
        orderBy.push({ expr, descending: dir === 'DESC' });
      } while (this.acceptOp(','));
    }
    const kind = this.acceptOneOf(['ROWS', 'RANGE']);
    if (kind !== null) {
      const between = this.acceptKw('BETWEEN') !== null;
      const unbounded = this.acceptKw('UNBOUNDED') !== null;
      frame =
        kind === 'ROWS'
          ? { kind: 'ROWS', preceding: unbounded ? 'UNBOUNDED' : this.count() }
          : { kind: 'RANGE', preceding: unbounded ? 'UNBOUNDED' : this.rangeInterval() };
      this.expectKw('PRECEDING');
      if (between) {
        this.expectKw('AND');
        this.expectKw('CURRENT');
        this.expectKw('ROW');
      }
    }
    this.expectOp(')');
    return { partitionBy, orderBy, frame };
  }

  /** `INTERVAL '1' HOUR`, `INTERVAL 1 HOUR` or `1 HOUR`. */
  private rangeInterval(): Duration {
    if (this.acceptKw('INTERVAL') && this.tok.kind === 'STRING') {
      const s = this.next();
      if (!/^\d+$/.test(s.value.trim())) throw this.errorAt(`Invalid interval '${s.value}': expected a whole number`, s);
      return { value: Number(s.value.trim()), unit: this.timeUnit() };
    }
    return this.duration();
  }


  /** One or more comma-separated expressions. */
  protected exprList(): Expr[] {
    const list: Expr[] = [];
    do list.push(this.expr());
    while (this.acceptOp(','));
    return list;
  }
}
