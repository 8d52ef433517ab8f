/**
 * Parser layer for the small clauses several statements share: `WITH (...)`, IF [NOT] EXISTS,
 * column definitions, topic names and query ids written as Kafka allows (`my-topic`).
 */
import type { ColumnDef, Properties } from './ast.ts';
import { KsqlSyntaxError } from './errors.ts';
import { MlParser } from './parse-ml.ts';

export class ClauseParser extends MlParser {
  /** `WITH (...)` if present, else no properties (a fresh map per statement). */
  protected optionalWith(): Properties {
    return this.acceptKw('WITH') ? this.properties() : new Map();
  }

  protected stringValue(what: string): string {
    const t = this.tok;
    if (t.kind !== 'STRING') {
      this.note(what);
      this.fail();
    }
    this.next();
    return t.value;
  }

  /** A query id as shown by SHOW QUERIES (CSAS_my-stream_0 included): verbatim, quoted or not. */
  protected queryId(): string {
    if (this.tok.kind === 'STRING' || this.tok.kind === 'QUOTED') return this.next().value;
    return this.adjacentName() ?? this.expectIdentifier('a query id');
  }

  /**
   * A name written as adjacent tokens of letters, digits, '.', '_' and '-' (Kafka's topic-name
   * characters), read verbatim: `my-topic`, `orders.v2`, `CSAS_my-output-stream_0`. Null when
   * the current token cannot start one.
   */
  protected adjacentName(): string | null {
    let text = '';
    let end = -1;
    for (let t = this.tok; t.kind !== 'EOF' && (end === -1 || t.start === end) && /^[A-Za-z0-9._-]+$/.test(t.image); t = this.tok) {
      if (end === -1 && !/^[A-Za-z0-9_]/.test(t.image)) break;
      text += t.image;
      end = t.end;
      this.next();
    }
    return text === '' ? null : text;
  }

  protected ifNotExists(): boolean {
    if (!this.acceptKw('IF')) return false;
    this.expectKw('NOT');
    this.expectKw('EXISTS');
    return true;
  }

  protected ifExists(): boolean {
    if (!this.acceptKw('IF')) return false;
    this.expectKw('EXISTS');
    return true;
  }

  /** `(name TYPE [KEY | PRIMARY KEY | HEADERS | HEADER('k')], ...)` */
  protected columnDefs(): ColumnDef[] {
    this.expectOp('(');
    const cols: ColumnDef[] = [];
    do {
      const first = this.tok;
      const name = this.expectIdentifier('a column name');
      if (cols.some((c) => c.name === name)) throw this.errorAt(`Duplicate column '${name}'`, first);
      const type = this.sqlType();
      let key = false;
      let primaryKey = false;
      let headers: ColumnDef['headers'] = null;
      if (this.acceptKw('KEY')) key = true;
      else if (this.acceptKw('PRIMARY')) {
        this.expectKw('KEY');
        key = primaryKey = true;
      } else if (this.acceptKw('HEADERS')) headers = { key: null };
      else if (this.acceptKw('HEADER')) {
        this.expectOp('(');
        headers = { key: this.stringValue('a header name in quotes') };
        this.expectOp(')');
      }
      cols.push({ name, type, key, primaryKey, headers, span: this.span(first) });
    } while (this.acceptOp(','));
    // ANTLR (ksqlDB's parser) has passed the optional constraint by now: only ',' or ')' fit.
    if (!this.isOp(')') && !(this.atEnd() && this.tok.image !== ';')) throw new KsqlSyntaxError("Expecting {',', ')'}", this.tokenSpan(this.tok));
    this.expectOp(')');
    return cols;
  }

  /** A Kafka topic name: quoted, or written as Kafka allows (letters, digits, . _ -), case kept. */
  protected topicName(): string {
    if (this.tok.kind === 'STRING' || this.tok.kind === 'QUOTED') return this.next().value;
    return this.adjacentName() ?? this.expectIdentifier('a topic name');
  }
}
