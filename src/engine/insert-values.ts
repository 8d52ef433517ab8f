/** INSERT INTO s [(cols)] VALUES (...): evaluates the values once and appends one record. */
import type { Expr, InsertValues } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { allColumns } from '../types/schema.ts';
import { analyzeExpr, columnsScope } from '../analyze/expr/analyze-expr.ts';
import { compileExpr } from '../exec/expr/compile.ts';
import { getFunction } from '../functions/registry.ts';
import { typesEqual, BIGINT, formatType, isNumeric, numericRank, type SqlType } from '../types/sql-type.ts';
import { createSerde } from '../serde/index.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import type { Row } from '../exec/expr/row.ts';

export async function insertValues(ctx: ExecutionContext, s: InsertValues): Promise<StatementResult> {
  const { engine } = ctx;
  if (ctx.replay) return { kind: 'message', message: '' };
  const target = engine.catalog.getSource(s.target);
  if (!target) {
    throw new SqlError('UNKNOWN_SOURCE', `Cannot insert values into an unknown stream/table: \`${s.target}\`${engine.catalog.alternatives(s.target)}`, s.span);
  }
  if (target.readOnly) throw new SqlError('INVALID', `Cannot insert values into read-only ${target.type.toLowerCase()}: ${s.target}`, s.span);
  const cols = allColumns(target.schema).filter((c) => !c.header);
  // ksqlDB: without a column list every column is inserted, header columns too, which cannot be.
  const headerCols = s.columns === null ? target.schema.value.filter((c) => c.header).map((c) => c.name) : s.columns.filter((n) => target.schema.value.some((c) => c.header && c.name === n));
  if (headerCols.length) throw new SqlError('INVALID', `Cannot insert into HEADER columns: ${headerCols.join(', ')}`, s.span);
  const names = s.columns ?? cols.map((c) => c.name);
  if (names.length !== s.values.length) {
    throw new SqlError('INVALID', `Expected a value for each column. Expected Columns: [${names.join(', ')}]. Got ${s.values.length} values`, s.span);
  }
  const scope = columnsScope([], []);
  const eval1 = (expr: Expr, type: SqlType, column: string): unknown => {
    let typed = analyzeExpr(expr, scope, getFunction);
    if (isNumeric(typed.type) && isNumeric(type) && numericRank(typed.type) > numericRank(type)) {
      // ksqlDB's value coercer only widens numbers: narrowing (2147483648 into an INT, 1.5 into a
      // BIGINT) is an error, never a wrapped or truncated value.
      const value = compileExpr(typed, getFunction)({ cols: [], ts: Date.now(), partition: 0, offset: 0, windowStart: null, windowEnd: null, headers: null });
      throw new SqlError('TYPE', `Expected type ${formatType(type)} for field ${column} but got ${typed.type.kind}(${String(value)})`, expr.span);
    }
    if (typed.type.kind !== type.kind || !typesEqual(typed.type, type)) {
      typed = analyzeExpr({ kind: 'Cast', operand: expr, type, span: expr.span }, scope, getFunction);
    }
    let failure: string | null = null;
    const fn = compileExpr(typed, getFunction, (m) => (failure = m));
    const row: Row = { cols: [], ts: Date.now(), partition: 0, offset: 0, windowStart: null, windowEnd: null, headers: null };
    const v = fn(row);
    if (failure) throw new SqlError('TYPE', `Failed to insert value into column ${column}: ${failure}`, expr.span);
    return v;
  };
  const values = new Map<string, unknown>();
  let rowtime: number | null = null;
  names.forEach((name, i) => {
    if (name === 'ROWTIME') {
      rowtime = Number(eval1(s.values[i], BIGINT, name));
      return;
    }
    const col = cols.find((c) => c.name === name);
    if (!col) throw new SqlError('UNKNOWN_COLUMN', `Column name ${name} does not exist.`, s.values[i].span);
    values.set(name, eval1(s.values[i], col.type, name));
  });
  const { formats } = target.formats ? target : target;
  const keySerde = createSerde(formats.keyFormat, target.schema.key, { isKey: true, wrapSingleValue: false, delimiter: formats.keyDelimiter });
  const valueCols = target.schema.value.filter((c) => !c.header);
  const valueSerde = createSerde(formats.valueFormat, valueCols, { isKey: false, wrapSingleValue: formats.wrapSingleValue, delimiter: formats.valueDelimiter });
  const key = target.schema.key.length ? keySerde.serialize(target.schema.key.map((c) => values.get(c.name) ?? null)) : null;
  const value = valueSerde.serialize(valueCols.map((c) => values.get(c.name) ?? null));
  let timestamp = rowtime ?? Date.now();
  if (rowtime === null && target.timestampColumn && values.get(target.timestampColumn) != null) {
    const t = Number(values.get(target.timestampColumn));
    if (Number.isFinite(t)) timestamp = t;
  }
  await engine.producer.send(target.topic, [{ key, value, timestamp }]);
  return { kind: 'message', message: `Inserted 1 row into ${target.name}.` };
}
