/**
 * Parser layer for the model-lifecycle statements: CREATE PIPELINE (with its map-literal
 * PARAMETERS and PROMOTE WHEN clause) and ALTER MODEL (SET, PROMOTE VERSION, ROLLBACK,
 * PROMOTE WHEN, PROMOTE MANUALLY).
 */
import type { Literal, LiteralMap, Properties, PromoteWhen, Statement } from './ast.ts';
import type { Token } from './lexer.ts';
import { QueryParser } from './parse-query.ts';

export class MlParser extends QueryParser {
  /** After `CREATE PIPELINE`: `[IF NOT EXISTS] p FROM stream WITH (...) [PROMOTE WHEN ...]`. */
  protected createPipeline(first: Token, ifNotExists: boolean): Statement {
    const name = this.expectIdentifier('a pipeline name');
    this.expectKw('FROM');
    const source = this.expectIdentifier('the stream whose rows are the training data');
    this.expectKw('WITH');
    const maps = new Map<string, LiteralMap>();
    const properties: Properties = this.properties(maps, new Set(['PARAMETERS']));
    const promote = this.acceptKw('PROMOTE');
    if (promote) this.expectKw('WHEN');
    const promoteWhen = promote ? this.promoteWhen(promote) : null;
    return { kind: 'CreatePipeline', name, ifNotExists, source, properties, parameters: maps.get('PARAMETERS') ?? null, promoteWhen, span: this.span(first) };
  }

  /** After `ALTER`: `MODEL m SET|WITH (...)`, `PROMOTE VERSION n`, `ROLLBACK`, `PROMOTE WHEN ... [FROM s]`, `PROMOTE MANUALLY`. */
  protected alterModel(t: Token): Statement {
    this.expectKw('MODEL');
    const name = this.expectIdentifier('a model name');
    if (this.acceptKw('PROMOTE')) {
      if (this.acceptKw('MANUALLY')) return { kind: 'SetPromotionRule', name, rule: null, from: null, span: this.span(t) };
      const when = this.acceptKw('WHEN');
      if (when) {
        const rule = this.promoteWhen(when);
        const from = this.acceptKw('FROM') ? this.expectIdentifier('the stream of labelled rows') : null;
        return { kind: 'SetPromotionRule', name, rule, from, span: this.span(t) };
      }
      this.expectKw('VERSION');
      const v = this.tok;
      if (v.kind !== 'INTEGER' && v.kind !== 'STRING') throw this.errorAt(`expected a version number after VERSION, found '${v.image}'`, v);
      this.next();
      return { kind: 'PromoteModel', name, version: String(v.value), span: this.span(t) };
    }
    if (this.acceptKw('ROLLBACK')) return { kind: 'PromoteModel', name, version: null, span: this.span(t) };
    if (!this.isOp('(')) this.expectOneOf(['SET', 'WITH']);
    return { kind: 'AlterModel', name, properties: this.properties(), span: this.span(t) };
  }

  /** After `PROMOTE WHEN` (`first` is its first token): `<metric> BETTER [BY x[%]] AFTER n ROWS`. */
  protected promoteWhen(first: Token): PromoteWhen {
    const metricTok = this.tok;
    const metric = this.expectAnyName('a metric (ACCURACY, F1, PRECISION, RECALL, LOG_LOSS, ROC_AUC, MAE, RMSE)').toUpperCase();
    this.expectKw('BETTER');
    let by = 0;
    let relative = false;
    if (this.acceptKw('BY')) {
      const n = this.tok;
      if (n.kind !== 'INTEGER' && n.kind !== 'DECIMAL' && n.kind !== 'DOUBLE') throw this.errorAt(`expected a number after BY (the margin the challenger must win by), found '${n.image}'`, n);
      this.next();
      by = Number(n.image);
      relative = this.acceptOp('%') !== null;
    }
    this.expectKw('AFTER');
    const rowsTok = this.tok;
    if (rowsTok.kind !== 'INTEGER' || Number(rowsTok.image) <= 0) throw this.errorAt(`expected a positive number of labelled rows after AFTER, found '${rowsTok.image}'`, rowsTok);
    this.next();
    this.expectOneOf(['ROWS', 'ROW']);
    return { metric, metricSpan: this.span(metricTok, metricTok), by, relative, afterRows: Number(rowsTok.image), span: this.span(first) };
  }

  /**
   * A map of literals as a property value: Flink's `MAP['k', v, ...]` (keys and values
   * alternating) or ksqlDB's `MAP('k' := v, ...)`. Keys are strings; values literals (strings,
   * numbers, booleans, NULL), so they keep their type.
   */
  protected override literalMap(): LiteralMap {
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
}
