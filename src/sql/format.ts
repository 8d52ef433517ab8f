/**
 * Prints statements and queries back as SQL (for EXPLAIN and the catalog), in ksqlDB's style:
 * keywords upper-case, each query clause on its own line, statements ending with `;`.
 * Invariant: parseStatement(formatStatement(s)) equals s, ignoring spans.
 */
import type { ColumnDef, Expr, LiteralMap, Properties, PromoteWhen, Query, Relation, SelectItem, Statement, TableFunctionArg, WindowSpec } from './ast.ts';
import { formatDuration, formatExpression, formatIdentifier, formatLiteral, formatString } from './format-expr.ts';
import { isPlainIdentifier } from './keywords.ts';
import { formatType } from '../types/sql-type.ts';

export { formatExpression, formatIdentifier } from './format-expr.ts';

/** The statement as SQL, with a trailing `;`. */
export function formatStatement(s: Statement): string {
  return `${statementText(s)};`;
}

export function formatQuery(q: Query): string {
  const lines = [`SELECT ${q.select.map(selectItem).join(', ')}`, `FROM ${relation(q.from)}`];
  if (q.window) lines.push(`WINDOW ${windowSpec(q.window)}`);
  if (q.where) lines.push(`WHERE ${formatExpression(q.where)}`);
  if (q.groupBy) lines.push(`GROUP BY ${exprs(q.groupBy)}`);
  if (q.partitionBy) lines.push(`PARTITION BY ${exprs(q.partitionBy)}`);
  if (q.having) lines.push(`HAVING ${formatExpression(q.having)}`);
  if (q.emit) lines.push(`EMIT ${q.emit}`);
  if (q.orderBy) lines.push(`ORDER BY ${q.orderBy.map((o) => `${formatExpression(o.expr)}${o.descending ? ' DESC' : ''}`).join(', ')}`);
  if (q.limit !== null) lines.push(`LIMIT ${q.limit}`);
  if (q.offset !== undefined) lines.push(`OFFSET ${q.offset}`);
  return lines.join('\n');
}

/** GROUP BY / PARTITION BY list; `()` for an empty one. */
const exprs = (xs: readonly Expr[]): string => (xs.length === 0 ? '()' : xs.map(formatExpression).join(', '));

function selectItem(item: SelectItem): string {
  switch (item.kind) {
    case 'AllColumns':
      return item.source === null ? '*' : `${formatIdentifier(item.source)}.*`;
    case 'SelectExpr':
      return item.alias === null ? formatExpression(item.expr) : `${formatExpression(item.expr)} AS ${formatIdentifier(item.alias)}`;
    case 'StructAll': {
      const base = formatExpression(item.base);
      return `${item.base.kind === 'ArithmeticUnary' || base.startsWith('-') ? `(${base})` : base}->*`;
    }
  }
}

const JOIN_WORDS = { INNER: 'INNER JOIN', LEFT: 'LEFT OUTER JOIN', RIGHT: 'RIGHT OUTER JOIN', FULL: 'FULL OUTER JOIN' } as const;

function relation(r: Relation): string {
  switch (r.kind) {
    case 'SourceRef':
      return `${formatIdentifier(r.name)}${alias(r.alias)}`;
    case 'TableFunction':
      return `${formatIdentifier(r.name)}(${r.args.map(tableFunctionArg).join(', ')})${alias(r.alias)}`;
    case 'Join': {
      let s = `${relation(r.left)}\n${JOIN_WORDS[r.type]} ${relation(r.right)}`;
      if (r.within) {
        const { before, after, grace } = r.within;
        const same = before.value === after.value && before.unit === after.unit;
        s += same ? ` WITHIN ${formatDuration(before)}` : ` WITHIN (${formatDuration(before)}, ${formatDuration(after)})`;
        if (grace) s += ` GRACE PERIOD ${formatDuration(grace)}`;
      }
      return `${s} ON ${formatExpression(r.on)}`;
    }
  }
}

const alias = (a: string | null): string => (a === null ? '' : ` AS ${formatIdentifier(a)}`);

function tableFunctionArg(a: TableFunctionArg): string {
  switch (a.kind) {
    case 'TableArg':
      return `TABLE ${formatIdentifier(a.name)}`;
    case 'ModelArg':
      return `MODEL ${formatIdentifier(a.name)}`;
    case 'DescriptorArg':
      return `DESCRIPTOR(${a.columns.map(formatIdentifier).join(', ')})`;
    case 'ExprArg':
      return formatExpression(a.expr);
  }
}

function windowSpec(w: WindowSpec): string {
  const parts: string[] = [];
  switch (w.kind) {
    case 'TUMBLING':
    case 'SLIDING':
      parts.push(`SIZE ${formatDuration(w.size)}`);
      break;
    case 'HOPPING':
      parts.push(`SIZE ${formatDuration(w.size)}`, `ADVANCE BY ${formatDuration(w.advance)}`);
      break;
    case 'SESSION':
      parts.push(formatDuration(w.gap));
      break;
  }
  if (w.retention) parts.push(`RETENTION ${formatDuration(w.retention)}`);
  if (w.grace) parts.push(`GRACE PERIOD ${formatDuration(w.grace)}`);
  return `${w.kind} (${parts.join(', ')})`;
}

function properties(p: Properties, maps: Readonly<Record<string, LiteralMap | null>> = {}): string {
  const items = [...p].map(([k, v]) => `${/^[A-Z_][A-Z0-9_]*$/.test(k) ? k : formatString(k)}=${formatLiteral(v)}`);
  for (const [k, m] of Object.entries(maps)) if (m) items.push(`${k}=MAP(${m.entries.map((e) => `${formatString(e.key)} := ${formatLiteral(e.value)}`).join(', ')})`);
  return `(${items.join(', ')})`;
}

function promoteWhen(r: PromoteWhen): string {
  return `PROMOTE WHEN ${r.metric} BETTER BY ${r.by}${r.relative ? '%' : ''} AFTER ${r.afterRows} ROWS`;
}

const withClause = (p: Properties): string => (p.size === 0 ? '' : ` WITH ${properties(p)}`);

function columns(cols: readonly ColumnDef[]): string {
  return `(${cols.map(column).join(', ')})`;
}

function column(c: ColumnDef): string {
  let s = `${formatIdentifier(c.name)} ${formatType(c.type)}`;
  if (c.primaryKey) s += ' PRIMARY KEY';
  else if (c.key) s += ' KEY';
  else if (c.headers) s += c.headers.key === null ? ' HEADERS' : ` HEADER(${formatString(c.headers.key)})`;
  return s;
}

/** A topic name: bare when it reads back as itself, else a string literal (verbatim). */
const topic = (name: string): string => (isPlainIdentifier(name) ? name : formatString(name));

/** A query id: bare when it reads back as itself, else quoted. */
const queryId = (id: string): string => formatIdentifier(id);

const ifNotExists = (b: boolean): string => (b ? 'IF NOT EXISTS ' : '');
const ifExists = (b: boolean): string => (b ? 'IF EXISTS ' : '');
const orReplace = (b: boolean): string => (b ? 'OR REPLACE ' : '');

function statementText(s: Statement): string {
  switch (s.kind) {
    case 'CreateSource': {
      const cols = s.columns ? ` ${columns(s.columns)}` : '';
      const source = s.readOnly ? 'SOURCE ' : '';
      return `CREATE ${orReplace(s.orReplace)}${source}${s.sourceType} ${ifNotExists(s.ifNotExists)}${formatIdentifier(s.name)}${cols}${withClause(s.properties)}`;
    }
    case 'CreateAsSelect':
      return `CREATE ${orReplace(s.orReplace)}${s.sourceType} ${ifNotExists(s.ifNotExists)}${formatIdentifier(s.name)}${withClause(s.properties)} AS ${formatQuery(s.query)}`;
    case 'AssertTopic': {
      const timeout = s.timeout ? ` TIMEOUT ${formatDuration(s.timeout)}` : '';
      return `ASSERT ${s.exists ? '' : 'NOT EXISTS '}TOPIC ${topic(s.topic)}${withClause(s.properties)}${timeout}`;
    }
    case 'AssertSchema': {
      const subject = s.subject === null ? '' : ` SUBJECT ${topic(s.subject)}`;
      const id = s.id === null ? '' : ` ID ${s.id}`;
      const timeout = s.timeout ? ` TIMEOUT ${formatDuration(s.timeout)}` : '';
      return `ASSERT ${s.exists ? '' : 'NOT EXISTS '}SCHEMA${subject}${id}${timeout}`;
    }
    case 'AlterSource':
      return `ALTER ${s.sourceType} ${formatIdentifier(s.name)} ${s.columns.map((c) => `ADD COLUMN ${formatIdentifier(c.name)} ${formatType(c.type)}`).join(', ')}`;
    case 'InsertInto':
      return `INSERT INTO ${formatIdentifier(s.target)}${withClause(s.properties)} ${formatQuery(s.query)}`;
    case 'InsertValues': {
      const cols = s.columns ? ` (${s.columns.map(formatIdentifier).join(', ')})` : '';
      return `INSERT INTO ${formatIdentifier(s.target)}${cols} VALUES (${s.values.map(formatExpression).join(', ')})`;
    }
    case 'QueryStatement':
      return formatQuery(s.query);
    case 'DropSource':
      return `DROP ${s.sourceType} ${ifExists(s.ifExists)}${formatIdentifier(s.name)}${s.deleteTopic ? ' DELETE TOPIC' : ''}`;
    case 'CreateTopic':
      return `CREATE TOPIC ${ifNotExists(s.ifNotExists)}${topic(s.name)}${withClause(s.properties)}`;
    case 'DropTopic':
      return `DROP TOPIC ${ifExists(s.ifExists)}${topic(s.name)}`;
    case 'Print': {
      let t = `PRINT ${topic(s.topic)}`;
      if (s.fromBeginning) t += ' FROM BEGINNING';
      if (s.interval !== null) t += ` INTERVAL ${s.interval}`;
      if (s.limit !== null) t += ` LIMIT ${s.limit}`;
      return t;
    }
    case 'Show':
      return `SHOW ${s.what}${s.extended ? ' EXTENDED' : ''}`;
    case 'Describe': {
      // Bare STREAMS / TABLES would read back as DESCRIBE STREAMS (a listing).
      const name = s.name === 'STREAMS' || s.name === 'TABLES' ? `\`${s.name}\`` : formatIdentifier(s.name);
      return `DESCRIBE ${name}${s.extended ? ' EXTENDED' : ''}`;
    }
    case 'DescribeFunction':
      return `DESCRIBE FUNCTION ${s.name === 'EXTENDED' ? '`EXTENDED`' : formatIdentifier(s.name)}`;
    case 'Explain':
      return `EXPLAIN ${s.target.kind === 'Statement' ? statementText(s.target.statement) : queryId(s.target.id)}`;
    case 'Terminate':
      return `TERMINATE ${s.queryId === null ? 'ALL' : queryId(s.queryId)}`;
    case 'SetProperty':
      return `SET ${formatString(s.name)}=${formatString(s.value)}`;
    case 'UnsetProperty':
      return `UNSET ${formatString(s.name)}`;
    case 'DefineVariable':
      return `DEFINE ${formatIdentifier(s.name)}=${formatString(s.value)}`;
    case 'UndefineVariable':
      return `UNDEFINE ${formatIdentifier(s.name)}`;
    case 'CreateModel': {
      let t = `CREATE ${orReplace(s.orReplace)}MODEL ${ifNotExists(s.ifNotExists)}${formatIdentifier(s.name)}`;
      if (s.inputs) t += ` INPUT ${columns(s.inputs)}`;
      if (s.outputs) t += ` OUTPUT ${columns(s.outputs)}`;
      return t + withClause(s.properties) + (s.query ? ` AS ${formatQuery(s.query)}` : '');
    }
    case 'AlterModel':
      return `ALTER MODEL ${formatIdentifier(s.name)} SET ${properties(s.properties)}`;
    case 'DropModel':
      return `DROP MODEL ${ifExists(s.ifExists)}${formatIdentifier(s.name)}`;
    case 'DescribeModel':
      return `DESCRIBE MODEL ${formatIdentifier(s.name)}`;
    case 'ExportModel':
      return `EXPORT MODEL ${formatIdentifier(s.name)}${s.version !== null ? ` VERSION ${s.version}` : ''} TO '${s.path.replace(/'/g, "''")}'`;
    case 'CreateType':
      return `CREATE TYPE ${ifNotExists(s.ifNotExists)}${formatIdentifier(s.name)} AS ${formatType(s.type)}`;
    case 'DropType':
      return `DROP TYPE ${ifExists(s.ifExists)}${formatIdentifier(s.name)}`;
    case 'CreatePipeline':
      return `CREATE PIPELINE ${ifNotExists(s.ifNotExists)}${formatIdentifier(s.name)} FROM ${formatIdentifier(s.source)} WITH ${properties(s.properties, { PARAMETERS: s.parameters })}${s.promoteWhen ? ` ${promoteWhen(s.promoteWhen)}` : ''}`;
    case 'DropPipeline':
      return `DROP PIPELINE ${ifExists(s.ifExists)}${formatIdentifier(s.name)}`;
    case 'DescribePipeline':
      return `DESCRIBE PIPELINE ${formatIdentifier(s.name)}`;
    case 'PromoteModel':
      return `ALTER MODEL ${formatIdentifier(s.name)} ${s.version === null ? 'ROLLBACK' : `PROMOTE VERSION '${s.version.replace(/'/g, "''")}'`}`;
    case 'SetPromotionRule':
      return `ALTER MODEL ${formatIdentifier(s.name)} ${s.rule === null ? 'PROMOTE MANUALLY' : `${promoteWhen(s.rule)}${s.from ? ` FROM ${formatIdentifier(s.from)}` : ''}`}`;
  }
}
