/**
 * Parser layer for the model-lifecycle statements: CREATE PIPELINE (with its map-literal
 * PARAMETERS and PROMOTE WHEN clause) and ALTER MODEL (SET, PROMOTE VERSION, ROLLBACK,
 * PROMOTE WHEN, PROMOTE MANUALLY).
 */
import type { LiteralMap, Properties, PromoteWhen, Statement } from './ast.ts';
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

  /** After `ALTER`: `MODEL m SET|WITH (...)`, `PROMOTE VERSION n`, `ROLLBACK`, `[SET] PROMOTE WHEN ... [FROM s]`, `[SET] PROMOTE MANUALLY`. */
  protected alterModel(t: Token): Statement {
    this.expectKw('MODEL');
    const name = this.expectIdentifier('a model name');
    if (this.isKw('SET') && this.isKw('PROMOTE', 1)) this.next(); // ALTER MODEL m SET PROMOTE WHEN ...: the same
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
}
