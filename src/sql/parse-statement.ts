/**
 * Statement parser: dispatches on the first keyword. One instance parses one statement's tokens
 * (the script splitter has already cut the script at top-level semicolons).
 */
import type {
  CreateModel,
  Expr,
  ShowWhat,
  Span,
  SourceType,
  Statement,
} from './ast.ts';
import type { Token } from './lexer.ts';
import { KsqlSyntaxError, SqlError } from './errors.ts';
import { ClauseParser } from './parse-clauses.ts';
import type { SqlType } from '../types/sql-type.ts';


const SHOW_WHAT: readonly ShowWhat[] = [
  'STREAMS',
  'TABLES',
  'QUERIES',
  'FUNCTIONS',
  'TOPICS',
  'PROPERTIES',
  'VARIABLES',
  'MODELS',
  'TYPES',
  'PIPELINES',
  'RUNS',
];

// ksqlDB's statement commands, in the order its SyntaxErrorValidator compares them.
const KSQL_COMMANDS = ['SELECT', 'CREATE', 'INSERT', 'DESCRIBE', 'PRINT', 'EXPLAIN', 'SHOW', 'LIST', 'TERMINATE', 'PAUSE', 'RESUME', 'DROP', 'SET', 'DEFINE', 'UNDEFINE', 'UNSET', 'ASSERT', 'ALTER'];

/** The command nearest to `word` by edit distance (the first of the nearest). */
function closestCommand(word: string): string {
  const target = word.toUpperCase();
  let best = KSQL_COMMANDS[0];
  let min = Infinity;
  for (const c of KSQL_COMMANDS) {
    let prev = Array.from({ length: target.length + 1 }, (_, j) => j);
    for (let i = 1; i <= c.length; i++) {
      const cur = [i];
      for (let j = 1; j <= target.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (c[i - 1] === target[j - 1] ? 0 : 1));
      prev = cur;
    }
    if (prev[target.length] < min) {
      min = prev[target.length];
      best = c;
    }
  }
  return best;
}

/** Keywords that start a statement (for EXPLAIN <statement> and the error message). */
const STATEMENT_START = new Set([
  'SELECT',
  'EXPORT',
  'CREATE',
  'INSERT',
  'DROP',
  'SHOW',
  'LIST',
  'DESCRIBE',
  'EXPLAIN',
  'PRINT',
  'TERMINATE',
  'SET',
  'UNSET',
  'DEFINE',
  'UNDEFINE',
  'ALTER',
  'ASSERT',
]);

export class StatementParser extends ClauseParser {
  /** Parses the whole token list as one statement. */
  parseOne(): Statement {
    const s = this.statement();
    this.expectEnd();
    return s;
  }

  /** Parses the whole token list as one expression. */
  parseWholeExpression(): Expr {
    const e = this.expr();
    this.expectEnd();
    return e;
  }

  /** Parses the whole token list as one SQL type. */
  parseWholeType(): SqlType {
    const t = this.sqlType();
    this.expectEnd();
    return t;
  }

  statement(): Statement {
    const t = this.tok;
    const kw = t.kind === 'WORD' && STATEMENT_START.has(t.value) ? t.value : null;
    switch (kw) {
      case 'SELECT': {
        const query = this.query();
        return { kind: 'QueryStatement', query, span: query.span };
      }
      case 'CREATE':
        return this.create();
      case 'INSERT':
        return this.insert();
      case 'DROP':
        return this.drop();
      case 'SHOW':
      case 'LIST': {
        this.next();
        this.acceptKw('ALL');
        const what = this.expectOneOf(SHOW_WHAT) as ShowWhat;
        const extended = this.acceptKw('EXTENDED') !== null;
        return { kind: 'Show', what, extended, span: this.span(t) };
      }
      case 'DESCRIBE':
        return this.describe();
      case 'EXPLAIN': {
        this.next();
        const n = this.tok;
        if (n.kind === 'WORD' && STATEMENT_START.has(n.value)) {
          const statement = this.statement();
          return { kind: 'Explain', target: { kind: 'Statement', statement }, span: this.span(t) };
        }
        const id = this.queryId();
        return { kind: 'Explain', target: { kind: 'QueryId', id }, span: this.span(t) };
      }
      case 'PRINT':
        return this.print();
      case 'TERMINATE': {
        this.next();
        const queryId = this.acceptKw('ALL') ? null : this.queryId();
        return { kind: 'Terminate', queryId, span: this.span(t) };
      }
      case 'SET': {
        this.next();
        const name = this.stringValue('a property name in quotes');
        this.expectOp('=');
        const value = this.stringValue('a value in quotes');
        return { kind: 'SetProperty', name, value, span: this.span(t) };
      }
      case 'UNSET': {
        this.next();
        const name = this.stringValue('a property name in quotes');
        return { kind: 'UnsetProperty', name, span: this.span(t) };
      }
      case 'ASSERT':
        return this.assertStatement(this.next());
      case 'DEFINE': {
        this.next();
        const name = this.expectAnyName('a variable name');
        this.expectOp('=');
        const value = this.stringValue('a value in quotes');
        return { kind: 'DefineVariable', name, value, span: this.span(t) };
      }
      case 'UNDEFINE': {
        this.next();
        const name = this.expectAnyName('a variable name');
        return { kind: 'UndefineVariable', name, span: this.span(t) };
      }
      case 'EXPORT': {
        // EXPORT MODEL m [VERSION n] TO 'file.onnx'
        this.next();
        this.expectKw('MODEL');
        const name = this.expectIdentifier('a model name');
        let version: number | null = null;
        if (this.acceptKw('VERSION')) {
          const v = this.tok;
          if (v.kind !== 'INTEGER') throw this.errorAt(`expected a version number after VERSION, found '${v.image}'`, v);
          this.next();
          version = Number(v.value);
        }
        this.expectKw('TO');
        const path = this.stringValue('a file path in quotes');
        return { kind: 'ExportModel', name, version, path, span: this.span(t) };
      }
      case 'ALTER':
        if (this.isKw('STREAM', 1) || this.isKw('TABLE', 1)) return this.alterSource(this.next());
        return this.alterModel(this.next());
      default:
        // ksqlDB's words for a word that starts no statement, with the closest of its commands.
        // (A ksqlDB command Riffle does not have, such as ASSERT, gets Riffle's own message.)
        if (t.kind === 'WORD' && !KSQL_COMMANDS.includes(t.value)) throw new KsqlSyntaxError(`Unknown statement '${t.image}'\nDid you mean '${closestCommand(t.image)}'?`, this.tokenSpan(t));
        this.note('a statement (SELECT, CREATE, INSERT, DROP, SHOW, DESCRIBE, ...)');
        return this.fail();
    }
  }

  /**
   * After `ASSERT`: `[NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT n UNIT]` or `[NOT EXISTS] SCHEMA
   * [SUBJECT name] [ID n] [TIMEOUT n UNIT]`. ksqlDB's test-only forms (ASSERT VALUES, ASSERT
   * STREAM, ...) are syntax errors at their second word, as in ksqlDB's server.
   */
  private assertStatement(t: Token): Statement {
    let exists = true;
    if (this.isKw('NOT') && this.isKw('EXISTS', 1)) {
      this.next();
      this.next();
      exists = false;
    }
    const what = this.tok;
    if (this.acceptKw('TOPIC')) {
      const topic = this.topicName();
      const properties = this.acceptKw('WITH') ? this.properties() : new Map();
      const timeout = this.acceptKw('TIMEOUT') ? this.duration() : null;
      return { kind: 'AssertTopic', exists, topic, properties, timeout, span: this.span(t) };
    }
    if (this.acceptKw('SCHEMA')) {
      const subject = this.acceptKw('SUBJECT') ? this.topicName() : null;
      let id: number | null = null;
      if (this.acceptKw('ID')) {
        const v = this.tok;
        if (v.kind !== 'INTEGER') throw new SqlError('INVALID', 'ID must be an integer', this.tokenSpan(v));
        this.next();
        id = Number(v.value);
      }
      if (subject === null && id === null) throw new SqlError('INVALID', 'ASSERT SCHEMA statements much include a subject name or an id', this.span(t));
      const timeout = this.acceptKw('TIMEOUT') ? this.duration() : null;
      return { kind: 'AssertSchema', exists, subject, id, timeout, span: this.span(t) };
    }
    throw new KsqlSyntaxError(`Syntax error at or near '${what.image}' at line ${what.line}:${what.column}`, this.tokenSpan(what));
  }

  /** After `ALTER`: `STREAM|TABLE name ADD [COLUMN] col TYPE (, ADD [COLUMN] col TYPE)*` (ksqlDB's alterSource). */
  private alterSource(t: Token): Statement {
    const sourceType = this.next().value as 'STREAM' | 'TABLE';
    const name = this.expectIdentifier(`a ${sourceType.toLowerCase()} name`);
    const columns: { name: string; type: SqlType; span: Span }[] = [];
    do {
      this.expectKw('ADD');
      this.acceptKw('COLUMN');
      const first = this.tok;
      const column = this.expectIdentifier('a column name');
      columns.push({ name: column, type: this.sqlType(), span: this.span(first) });
    } while (this.acceptOp(','));
    return { kind: 'AlterSource', sourceType, name, columns, span: this.span(t) };
  }

  private create(): Statement {
    const first = this.next();
    let orReplace = false;
    if (this.acceptKw('OR')) {
      this.expectKw('REPLACE');
      orReplace = true;
    }
    const readOnly = this.acceptKw('SOURCE') !== null;
    const what = readOnly
      ? this.expectOneOf(['STREAM', 'TABLE'])
      : this.expectOneOf(orReplace ? ['STREAM', 'TABLE', 'MODEL'] : ['STREAM', 'TABLE', 'TOPIC', 'MODEL', 'TYPE', 'PIPELINE']);
    if (what === 'TYPE') {
      const ifNotExists = this.ifNotExists();
      const name = this.expectIdentifier('a type name');
      this.expectKw('AS');
      return { kind: 'CreateType', name, ifNotExists, type: this.sqlType(), span: this.span(first) };
    }
    if (what === 'TOPIC') {
      const ifNotExists = this.ifNotExists();
      const name = this.topicName();
      const properties = this.optionalWith();
      return { kind: 'CreateTopic', name, ifNotExists, properties, span: this.span(first) };
    }
    if (what === 'MODEL') return this.createModel(first, orReplace);
    if (what === 'PIPELINE') return this.createPipeline(first, this.ifNotExists());
    const sourceType = what as SourceType;
    const ifNotExists = this.ifNotExists();
    const name = this.expectIdentifier(`a ${what.toLowerCase()} name`);
    const columnsTok = this.tok;
    const columns = this.isOp('(') ? this.columnDefs() : null;
    const properties = this.optionalWith();
    if (this.isKw('AS')) {
      const asTok = this.next();
      if (columns !== null) throw this.errorAt(`CREATE ${what} ... AS SELECT cannot declare columns`, columnsTok);
      if (readOnly) throw this.errorAt(`CREATE SOURCE ${what} cannot be AS SELECT`, asTok);
      const query = this.query();
      return { kind: 'CreateAsSelect', sourceType, name, orReplace, ifNotExists, properties, query, span: this.span(first) };
    }
    if (columns === null && properties.size === 0) this.note('AS');
    return {
      kind: 'CreateSource',
      sourceType,
      name,
      orReplace,
      ifNotExists,
      readOnly,
      columns,
      properties,
      span: this.span(first),
    };
  }

  private createModel(first: Token, orReplace: boolean): CreateModel {
    const ifNotExists = this.ifNotExists();
    const name = this.expectIdentifier('a model name');
    const inputs = this.acceptKw('INPUT') ? this.columnDefs() : null;
    const outputs = this.acceptKw('OUTPUT') ? this.columnDefs() : null;
    const properties = this.optionalWith();
    if (this.isKw('AS')) {
      const asTok = this.next();
      if (inputs !== null || outputs !== null) throw this.errorAt('CREATE MODEL ... AS SELECT trains a model: its INPUT and OUTPUT come from the query, do not declare them', asTok);
      const query = this.query();
      return { kind: 'CreateModel', name, orReplace, ifNotExists, inputs, outputs, properties, query, span: this.span(first) };
    }
    return { kind: 'CreateModel', name, orReplace, ifNotExists, inputs, outputs, properties, span: this.span(first) };
  }

  private insert(): Statement {
    const first = this.next();
    this.expectKw('INTO');
    const target = this.expectIdentifier('a stream or table name');
    if (this.isOp('(') || this.isKw('VALUES')) {
      let columns: string[] | null = null;
      if (this.acceptOp('(')) {
        columns = [];
        do columns.push(this.expectIdentifier('a column name'));
        while (this.acceptOp(','));
        this.expectOp(')');
      }
      this.expectKw('VALUES');
      this.expectOp('(');
      const values = this.isOp(')') ? [] : this.valueExprList(); // ksqlDB: value expressions only
      this.expectOp(')');
      return { kind: 'InsertValues', target, columns, values, span: this.span(first) };
    }
    const properties = this.optionalWith();
    if (properties.size === 0) {
      // For the error message: the VALUES forms were possible here too.
      this.note("'('");
      this.note('VALUES');
    }
    const query = this.query();
    return { kind: 'InsertInto', target, properties, query, span: this.span(first) };
  }

  private drop(): Statement {
    const first = this.next();
    const what = this.expectOneOf(['STREAM', 'TABLE', 'TOPIC', 'MODEL', 'TYPE', 'PIPELINE']);
    const ifExists = this.ifExists();
    if (what === 'PIPELINE') return { kind: 'DropPipeline', name: this.expectIdentifier('a pipeline name'), ifExists, span: this.span(first) };
    if (what === 'TOPIC') return { kind: 'DropTopic', name: this.topicName(), ifExists, span: this.span(first) };
    if (what === 'TYPE') return { kind: 'DropType', name: this.expectIdentifier('a type name'), ifExists, span: this.span(first) };
    const name = this.expectIdentifier(`a ${what.toLowerCase()} name`);
    if (what === 'MODEL') return { kind: 'DropModel', name, ifExists, span: this.span(first) };
    let deleteTopic = false;
    if (this.acceptKw('DELETE')) {
      this.expectKw('TOPIC');
      deleteTopic = true;
    }
    return { kind: 'DropSource', sourceType: what as SourceType, name, ifExists, deleteTopic, span: this.span(first) };
  }

  private describe(): Statement {
    const first = this.next();
    // DESCRIBE FUNCTION f / DESCRIBE MODEL m; a lone `DESCRIBE function` describes a source named FUNCTION.
    if (this.isKw('FUNCTION') && !this.isEndOrExtended(1)) {
      this.next();
      return { kind: 'DescribeFunction', name: this.expectAnyName('a function name'), span: this.span(first) };
    }
    if (this.isKw('MODEL') && !this.isEndOrExtended(1)) {
      this.next();
      return { kind: 'DescribeModel', name: this.expectIdentifier('a model name'), span: this.span(first) };
    }
    if (this.isKw('PIPELINE') && !this.isEndOrExtended(1)) {
      this.next();
      return { kind: 'DescribePipeline', name: this.expectIdentifier('a pipeline name'), span: this.span(first) };
    }
    // ksqlDB: DESCRIBE STREAMS / TABLES [EXTENDED] lists them with their details.
    if ((this.isKw('STREAMS') || this.isKw('TABLES')) && this.isEndOrExtended(1)) {
      const what = this.next().value as ShowWhat;
      this.acceptKw('EXTENDED');
      return { kind: 'Show', what, extended: true, span: this.span(first) };
    }
    let extended = false;
    if (this.isKw('EXTENDED') && !this.isEndOrExtended(1)) {
      this.next();
      extended = true;
    }
    const name = this.expectIdentifier('a stream or table name');
    if (!extended) extended = this.acceptKw('EXTENDED') !== null;
    return { kind: 'Describe', name, extended, span: this.span(first) };
  }

  private isEndOrExtended(n: number): boolean {
    const t = this.peek(n);
    return t.kind === 'EOF' || (t.kind === 'WORD' && t.value === 'EXTENDED');
  }

  private print(): Statement {
    const first = this.next();
    const topic = this.topicName();
    let fromBeginning = false;
    if (this.acceptKw('FROM')) {
      this.expectKw('BEGINNING');
      fromBeginning = true;
    }
    const interval = this.acceptOneOf(['INTERVAL', 'SAMPLE']) ? this.count() : null;
    const limit = this.acceptKw('LIMIT') ? this.count() : null;
    return { kind: 'Print', topic, fromBeginning, interval, limit, span: this.span(first) };
  }
}
