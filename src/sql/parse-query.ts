/**
 * Query parser: SELECT items, FROM with joins and table functions, WINDOW, WHERE, GROUP BY,
 * PARTITION BY, HAVING, EMIT, LIMIT. Joins are left-deep: `a JOIN b JOIN c` is
 * Join(Join(a, b), c), as ksqlDB's n-way joins.
 */
import type {
  Duration,
  Expr,
  JoinRelation,
  JoinType,
  Query,
  Relation,
  SelectItem,
  TableFunctionArg,
  TableFunctionRelation,
  WindowSpec,
} from './ast.ts';
import { RELATION_FOLLOW } from './keywords.ts';
import { SqlError } from './errors.ts';
import type { Token } from './lexer.ts';
import { ExprParser } from './parse-expr.ts';

const WINDOW_KINDS = ['TUMBLING', 'HOPPING', 'SESSION', 'SLIDING'];

/** Joins in one FROM clause (see relation()). */
export const MAX_JOINS = 100;
export class QueryParser extends ExprParser {
  query(): Query {
    const first = this.expectKw('SELECT');
    const select: SelectItem[] = [];
    do select.push(this.selectItem());
    while (this.acceptOp(','));
    this.expectKw('FROM');
    const from = this.relation();
    const window = this.acceptKw('WINDOW') ? this.windowSpec() : null;
    const where = this.acceptKw('WHERE') ? this.expr() : null;
    let groupBy: Expr[] | null = null;
    const group = this.acceptKw('GROUP');
    if (group) {
      this.expectKw('BY');
      groupBy = this.nonEmptyGrouping('GROUP BY', group);
    }
    let partitionBy: Expr[] | null = null;
    const partition = this.acceptKw('PARTITION');
    if (partition) {
      this.expectKw('BY');
      partitionBy = this.nonEmptyGrouping('PARTITION BY', partition);
    }
    const having = this.acceptKw('HAVING') ? this.expr() : null;
    let emit: Query['emit'] = null;
    if (this.acceptKw('EMIT')) emit = this.expectOneOf(['CHANGES', 'FINAL']) as 'CHANGES' | 'FINAL';
    let orderBy: { expr: Expr; descending: boolean }[] | undefined;
    if (this.acceptKw('ORDER')) {
      this.expectKw('BY');
      orderBy = [];
      do {
        const expr = this.expr();
        const dir = this.acceptOneOf(['ASC', 'DESC']);
        orderBy.push({ expr, descending: dir === 'DESC' });
      } while (this.acceptOp(','));
    }
    const limit = this.acceptKw('LIMIT') ? this.count() : null;
    const offset = this.acceptKw('OFFSET') ? this.count() : undefined;
    return {
      kind: 'Query',
      select,
      from,
      window,
      where,
      groupBy,
      partitionBy,
      having,
      emit,
      ...(orderBy ? { orderBy } : {}),
      limit,
      ...(offset !== undefined ? { offset } : {}),
      span: this.span(first),
    };
  }

  private selectItem(): SelectItem {
    const t = this.tok;
    if (t.kind === 'OP' && t.value === '*') {
      this.next();
      return { kind: 'AllColumns', source: null, span: this.span(t) };
    }
    if (this.isIdentifier() && this.isOp('.', 1) && this.isOp('*', 2)) {
      this.next();
      this.next();
      this.next();
      return { kind: 'AllColumns', source: t.value, span: this.span(t) };
    }
    const expr = this.expr();
    if (this.isOp('->') && this.isOp('*', 1)) {
      this.next();
      this.next();
      return { kind: 'StructAll', base: expr, span: this.spanFrom(expr.span) };
    }
    let alias: string | null = null;
    if (this.acceptKw('AS')) alias = this.expectIdentifier('an alias');
    else if (this.isIdentifier()) alias = this.next().value;
    return { kind: 'SelectExpr', expr, alias, span: this.spanFrom(expr.span) };
  }

  /** `GROUP BY ()` parses but ksqlDB refuses it when it builds the statement. */
  private nonEmptyGrouping(clause: string, at: Token): Expr[] {
    const list = this.groupingList();
    if (list.length === 0) throw new SqlError('PARSE', `Failed to prepare statement: ${clause} requires at least one expression`, this.span(at));
    return list;
  }

  /** GROUP BY / PARTITION BY: `a, b` or `(a, b)` or `()`, of value expressions (ksqlDB's grammar). */
  private groupingList(): Expr[] {
    if (this.isOp('(')) {
      const close = this.matchingParen();
      // `(a, b)` (a top-level comma inside) or `()` is a parenthesised list; `(a + 1) * 2` is not.
      if (close === 1) {
        this.next();
        this.next();
        return [];
      }
      if (close > 0 && this.hasTopLevelComma(close)) {
        this.next();
        const list = this.valueExprList();
        this.expectOp(')');
        return list;
      }
    }
    return this.valueExprList();
  }

  /** Relative index of the `)` matching the `(` at the cursor, or 0 if unbalanced. */
  private matchingParen(): number {
    let depth = 0;
    for (let n = 0; ; n++) {
      const t = this.peek(n);
      if (t.kind === 'EOF') return 0;
      if (t.kind !== 'OP') continue;
      if (t.value === '(' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === ']') {
        if (--depth === 0) return n;
      }
    }
  }

  private hasTopLevelComma(close: number): boolean {
    let depth = 0;
    for (let n = 1; n < close; n++) {
      const t = this.peek(n);
      if (t.kind !== 'OP') continue;
      if (t.value === '(' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === ']') depth--;
      else if (t.value === ',' && depth === 0) return true;
    }
    return false;
  }

  // --- FROM -------------------------------------------------------------------------------

  private relation(): Relation {
    let left = this.aliasedRelation();
    for (let joins = 0; ; joins++) {
      const at = this.tok;
      const type = this.joinType();
      if (type === null) return left;
      // The join tree is walked recursively by every later stage, and each join's schema holds
      // the columns of all sources before it (plan size quadratic in the joins): bounded here.
      if (joins === MAX_JOINS) throw this.errorAt(`Too many joins: a query joins at most ${MAX_JOINS + 1} sources`, at);
      const right = this.aliasedRelation();
      let within: JoinRelation['within'] = null;
      if (this.acceptKw('WITHIN')) within = this.joinWindow();
      this.expectKw('ON');
      const on = this.expr();
      left = { kind: 'Join', type, left, right, on, within, span: this.spanFrom(left.span) };
    }
  }

  /** `[INNER] JOIN`, `LEFT [OUTER] JOIN`, ...; null when no join follows. */
  private joinType(): JoinType | null {
    if (this.acceptKw('JOIN')) return 'INNER';
    const kw = this.acceptOneOf(['INNER', 'LEFT', 'RIGHT', 'FULL']);
    if (kw === null) return null;
    if (kw !== 'INNER') this.acceptKw('OUTER');
    this.expectKw('JOIN');
    return kw as JoinType;
  }

  /** After WITHIN: `10 SECONDS` or `(1 SECOND, 2 SECONDS)`, then an optional GRACE PERIOD. */
  private joinWindow(): NonNullable<JoinRelation['within']> {
    let before: Duration;
    let after: Duration;
    if (this.acceptOp('(')) {
      before = this.duration();
      this.expectOp(',');
      after = this.duration();
      this.expectOp(')');
    } else {
      before = after = this.duration();
    }
    let grace: Duration | null = null;
    if (this.acceptKw('GRACE')) {
      this.expectKw('PERIOD');
      grace = this.duration();
    }
    return { before, after, grace };
  }

  private aliasedRelation(): Relation {
    const first = this.tok;
    if (this.isIdentifier() && this.isOp('(', 1)) return this.tableFunction(first);
    const name = this.expectIdentifier('a stream or table name');
    return { kind: 'SourceRef', name, alias: this.relationAlias(), span: this.span(first) };
  }

  private relationAlias(): string | null {
    if (this.acceptKw('AS')) return this.expectIdentifier('an alias');
    const t = this.tok;
    if (this.isIdentifier() && !(t.kind === 'WORD' && RELATION_FOLLOW.has(t.value))) return this.next().value;
    return null;
  }

  /** `ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(a, b), MAP['k', 'v'])` */
  private tableFunction(first: Token): TableFunctionRelation {
    this.next();
    this.expectOp('(');
    const args: TableFunctionArg[] = [];
    if (!this.isOp(')')) {
      do args.push(this.tableFunctionArg());
      while (this.acceptOp(','));
    }
    this.expectOp(')');
    const span = this.span(first);
    return { kind: 'TableFunction', name: first.value, args, alias: this.relationAlias(), span };
  }

  private tableFunctionArg(): TableFunctionArg {
    const t = this.tok;
    if (this.isKw('TABLE')) {
      this.next();
      const name = this.expectIdentifier('a stream or table name');
      return { kind: 'TableArg', name, span: this.span(t) };
    }
    if (this.isKw('MODEL') && this.isIdentifier(1)) {
      this.next();
      return { kind: 'ModelArg', name: this.next().value, span: this.span(t) };
    }
    if (this.isKw('DESCRIPTOR') && this.isOp('(', 1)) {
      this.next();
      this.next();
      const columns: string[] = [];
      do columns.push(this.expectIdentifier('a column name'));
      while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'DescriptorArg', columns, span: this.span(t) };
    }
    if (this.isKw('MAP') && this.isOp('[', 1)) {
      // Flink's MAP['k1', 'v1', 'k2', 'v2']: alternating keys and values.
      this.next();
      this.next();
      const items = this.isOp(']') ? [] : this.exprList();
      this.expectOp(']');
      if (items.length % 2 !== 0) throw this.errorAt('MAP[...] needs an even number of items (key, value, ...)', this.prev);
      const entries: { key: Expr; value: Expr }[] = [];
      for (let i = 0; i < items.length; i += 2) entries.push({ key: items[i], value: items[i + 1] });
      const span = this.span(t);
      return { kind: 'ExprArg', expr: { kind: 'CreateMap', entries, span }, span };
    }
    const expr = this.expr();
    return { kind: 'ExprArg', expr, span: expr.span };
  }

  // --- WINDOW -----------------------------------------------------------------------------

  private windowSpec(): WindowSpec {
    // ksqlDB accepts (and ignores) a name before the window kind: `WINDOW w TUMBLING (...)`.
    if (this.isIdentifier() && this.peek(1).kind === 'WORD' && WINDOW_KINDS.includes(this.peek(1).value)) this.next();
    const kind = this.expectOneOf(WINDOW_KINDS);
    this.expectOp('(');
    let size: Duration;
    let advance: Duration | null = null;
    if (kind === 'SESSION') {
      size = this.duration();
    } else {
      this.expectKw('SIZE');
      size = this.duration();
      if (kind === 'HOPPING') {
        this.expectOp(',');
        this.expectKw('ADVANCE');
        this.expectKw('BY');
        advance = this.duration();
      }
    }
    let retention: Duration | null = null;
    let grace: Duration | null = null;
    while (this.acceptOp(',')) {
      const t = this.tok;
      const what = this.expectOneOf(['RETENTION', 'GRACE']);
      if ((what === 'RETENTION' ? retention : grace) !== null) throw this.errorAt(`Duplicate ${what} in WINDOW`, t);
      if (what === 'RETENTION') retention = this.duration();
      else {
        this.expectKw('PERIOD');
        grace = this.duration();
      }
    }
    this.expectOp(')');
    switch (kind) {
      case 'TUMBLING':
        return { kind, size, retention, grace };
      case 'HOPPING':
        return { kind, size, advance: advance!, retention, grace };
      case 'SESSION':
        return { kind, gap: size, retention, grace };
      default:
        return { kind: 'SLIDING', size, retention, grace };
    }
  }
}
