/**
 * Expression parser: precedence climbing, lowest first:
 *   OR < AND < NOT < predicate (comparison, IS [NOT] NULL, IS [NOT] DISTINCT FROM,
 *   [NOT] BETWEEN, [NOT] IN, [NOT] LIKE) < + - < * / % < unary +/- < postfix [i], ->f < primary.
 * As in ksqlDB, a predicate does not chain (`a = b = c` is an error) and a sign directly before
 * a number is part of the literal (`-2147483648` is an INTEGER).
 */
import type { ArithmeticOp, ComparisonOp, Expr } from './ast.ts';
import { RESERVED } from './keywords.ts';
import { CallParser } from './parse-call.ts';
import { joinSpans } from './parser-base.ts';
import { MAX_EXPR_DEPTH, checkExprDepth } from './nesting.ts';

const COMPARISON: Readonly<Record<string, ComparisonOp>> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

export class ExprParser extends CallParser {
  /** Bound on the depth of every parsed expression tree (see ./nesting.ts). */
  maxExprDepth = MAX_EXPR_DEPTH;

  expr(): Expr {
    this.enter();
    let left = this.andExpr();
    while (this.isKw('OR')) {
      this.next();
      const right = this.andExpr();
      left = { kind: 'Logical', op: 'OR', left, right, span: joinSpans(left.span, right.span) };
    }
    // The outermost expression: bound the depth of the whole tree once (chains nest without recursing here).
    if (--this.depth === 0) checkExprDepth(left, this.maxExprDepth);
    return left;
  }

  /**
   * A value expression (ksqlDB's grammar rule `valueExpression`): arithmetic, concatenation and
   * primaries, but no AND / OR / NOT or comparison, BETWEEN, IN, LIKE, IS at the top (inside
   * parentheses, calls and CASE any expression). GROUP BY, PARTITION BY and INSERT ... VALUES
   * take these, so `GROUP BY a AND b` is a syntax error at AND, as in ksqlDB.
   */
  valueExpr(): Expr {
    this.enter();
    const e = this.additive();
    if (--this.depth === 0) checkExprDepth(e, this.maxExprDepth);
    return e;
  }

  protected valueExprList(): Expr[] {
    const list: Expr[] = [];
    do list.push(this.valueExpr());
    while (this.acceptOp(','));
    return list;
  }

  private andExpr(): Expr {
    let left = this.notExpr();
    while (this.isKw('AND')) {
      this.next();
      const right = this.notExpr();
      left = { kind: 'Logical', op: 'AND', left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private notExpr(): Expr {
    if (this.isKw('NOT')) {
      const t = this.next();
      this.enter();
      const operand = this.notExpr();
      this.depth--;
      return { kind: 'Not', operand, span: this.span(t) };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const t = this.tok;
    if (t.kind === 'OP') {
      const op = COMPARISON[t.value];
      if (op === undefined) return left;
      this.next();
      const right = this.additive();
      return { kind: 'Comparison', op, left, right, span: joinSpans(left.span, right.span) };
    }
    if (t.kind !== 'WORD') return left;
    if (t.value === 'IS') {
      this.next();
      const negated = this.acceptKw('NOT') !== null;
      if (this.acceptKw('NULL')) return { kind: 'IsNull', operand: left, negated, span: this.spanFrom(left.span) };
      this.expectKw('DISTINCT');
      this.expectKw('FROM');
      const right = this.additive();
      const op = negated ? 'NOT_DISTINCT' : 'DISTINCT';
      return { kind: 'Comparison', op, left, right, span: joinSpans(left.span, right.span) };
    }
    let negated = false;
    if (t.value === 'NOT' && (this.isKw('BETWEEN', 1) || this.isKw('IN', 1) || this.isKw('LIKE', 1))) {
      this.next();
      negated = true;
    }
    if (this.isKw('BETWEEN')) {
      this.next();
      const low = this.additive();
      this.expectKw('AND');
      const high = this.additive();
      return { kind: 'Between', operand: left, low, high, negated, span: joinSpans(left.span, high.span) };
    }
    if (this.isKw('IN')) {
      this.next();
      this.expectOp('(');
      const list = this.exprList();
      this.expectOp(')');
      return { kind: 'InList', operand: left, list, negated, span: this.spanFrom(left.span) };
    }
    if (this.isKw('LIKE')) {
      this.next();
      const pattern = this.additive();
      let escape: string | null = null;
      if (this.isKw('ESCAPE') && this.peek(1).kind === 'STRING') {
        this.next();
        const e = this.next();
        if (e.value.length !== 1) throw this.errorAt(`ESCAPE must be a single character, got '${e.value}'`, e);
        escape = e.value;
      }
      return { kind: 'Like', operand: left, pattern, escape, negated, span: this.spanFrom(left.span) };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'OP' || (t.value !== '+' && t.value !== '-')) return left;
      this.next();
      const right = this.multiplicative();
      left = { kind: 'ArithmeticBinary', op: t.value, left, right, span: joinSpans(left.span, right.span) };
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'OP' || (t.value !== '*' && t.value !== '/' && t.value !== '%')) return left;
      this.next();
      const right = this.unary();
      left = { kind: 'ArithmeticBinary', op: t.value as ArithmeticOp, left, right, span: joinSpans(left.span, right.span) };
    }
  }

  private unary(): Expr {
    const t = this.tok;
    if (t.kind === 'OP' && (t.value === '-' || t.value === '+')) {
      this.next();
      const n = this.tok;
      if (n.kind === 'INTEGER' || n.kind === 'DECIMAL' || n.kind === 'DOUBLE') {
        this.next();
        return this.postfix(this.numericLiteral(n, t.value === '-' ? `-${n.image}` : n.image, this.span(t)));
      }
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'ArithmeticUnary', op: t.value, operand, span: this.span(t) };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Expr): Expr {
    for (;;) {
      if (this.isOp('[')) {
        this.next();
        const index = this.expr();
        this.expectOp(']');
        base = { kind: 'Subscript', base, index, span: this.spanFrom(base.span) };
      } else if (this.isOp('->') && !this.isOp('*', 1)) {
        // `base->*` is left to the SELECT list (StructAll).
        this.next();
        const field = this.expectAnyName('a field name');
        base = { kind: 'Dereference', base, field, span: this.spanFrom(base.span) };
      } else {
        return base;
      }
    }
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'INTEGER':
      case 'DECIMAL':
      case 'DOUBLE':
        this.next();
        return this.numericLiteral(t, t.image, this.span(t));
      case 'STRING':
        this.next();
        return { kind: 'Literal', type: 'STRING', raw: t.value, span: this.span(t) };
      case 'BYTES':
        this.next();
        return this.bytesLiteral(t);
      case 'OP':
        if (t.value === '(') {
          this.next();
          const inner = this.expr();
          this.expectOp(')');
          // The span covers the parentheses, so text.slice(start, end) stays balanced.
          return { ...inner, span: this.span(t) };
        }
        break;
      case 'WORD':
        switch (t.value) {
          case 'NULL':
            this.next();
            return { kind: 'Literal', type: 'NULL', raw: 'NULL', span: this.span(t) };
          case 'TRUE':
          case 'FALSE':
            this.next();
            return { kind: 'Literal', type: 'BOOLEAN', raw: t.value, span: this.span(t) };
          case 'CASE':
            return this.caseExpr();
          case 'CAST':
            return this.cast();
          case 'ARRAY':
            if (this.isOp('[', 1)) return this.arrayConstructor();
            break;
          case 'MAP':
            if (this.isOp('(', 1)) return this.mapConstructor();
            break;
          case 'STRUCT':
            if (this.isOp('(', 1)) return this.structConstructor();
            break;
          default:
            break;
        }
        if (!RESERVED.has(t.value)) return this.nameExpr();
        break;
      case 'QUOTED':
      case 'DIGIT_WORD':
        return this.nameExpr();
      default:
        break;
    }
    this.note('an expression');
    return this.fail();
  }

  /** A column reference `c` / `s.c`, or a function call `f(...)`. */
  private nameExpr(): Expr {
    const t = this.next();
    if (this.isOp('(')) return this.functionCall(t);
    if (this.isOp('.')) {
      const n = this.peek(1);
      if (n.kind === 'WORD' || n.kind === 'QUOTED' || n.kind === 'DIGIT_WORD') {
        this.next();
        this.next();
        return { kind: 'ColumnRef', source: t.value, name: n.value, span: this.span(t) };
      }
      this.next();
      this.note('a column name');
      this.fail();
    }
    return { kind: 'ColumnRef', source: null, name: t.value, span: this.span(t) };
  }

  private caseExpr(): Expr {
    const first = this.next();
    const operand = this.isKw('WHEN') ? null : this.expr();
    const whens: { when: Expr; then: Expr }[] = [];
    do {
      this.expectKw('WHEN');
      const when = this.expr();
      this.expectKw('THEN');
      whens.push({ when, then: this.expr() });
    } while (this.isKw('WHEN'));
    const otherwise = this.acceptKw('ELSE') ? this.expr() : null;
    this.expectKw('END');
    return { kind: 'Case', operand, whens, else: otherwise, span: this.span(first) };
  }

  private cast(): Expr {
    const first = this.next();
    this.expectOp('(');
    const operand = this.expr();
    this.expectKw('AS');
    const type = this.sqlType();
    this.expectOp(')');
    return { kind: 'Cast', operand, type, span: this.span(first) };
  }

  private arrayConstructor(): Expr {
    const first = this.next();
    this.next();
    const elements = this.isOp(']') ? [] : this.exprList();
    this.expectOp(']');
    return { kind: 'CreateArray', elements, span: this.span(first) };
  }

  private mapConstructor(): Expr {
    const first = this.next();
    this.next();
    const entries: { key: Expr; value: Expr }[] = [];
    if (!this.isOp(')')) {
      do {
        const key = this.expr();
        this.expectOp(':=');
        entries.push({ key, value: this.expr() });
      } while (this.acceptOp(','));
    }
    this.expectOp(')');
    return { kind: 'CreateMap', entries, span: this.span(first) };
  }

  private structConstructor(): Expr {
    const first = this.next();
    this.next();
    const fields: { name: string; value: Expr }[] = [];
    if (!this.isOp(')')) {
      do {
        const nameTok = this.tok;
        const name = this.expectAnyName('a field name');
        if (fields.some((f) => f.name === name)) throw this.errorAt(`Duplicate field names found in STRUCT: '${name}'`, nameTok);
        this.expectOp(':=');
        fields.push({ name, value: this.expr() });
      } while (this.acceptOp(','));
    }
    this.expectOp(')');
    return { kind: 'CreateStruct', fields, span: this.span(first) };
  }
}
