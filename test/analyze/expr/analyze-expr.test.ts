import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeExpr, analyzeExprAs, analyzeFunctionArgs, columnsScope } from '../../../src/analyze/expr/analyze-expr.ts';
import { formatTypedExpr, type TypedExpr } from '../../../src/types/typed-expr.ts';
import { SqlError } from '../../../src/sql/errors.ts';
import { formatType } from '../../../src/types/sql-type.ts';
import type { Expr, Span } from '../../../src/sql/ast.ts';
import { INTEGER, STRING, TIMESTAMP, analysisError, analyze, functions, parse, scope } from './fixtures.ts';

const typeOf = (text: string): string => formatType(analyze(text).type);
const show = (text: string): string => formatTypedExpr(analyze(text));

test('columns resolve by index; pseudo columns by name', () => {
  assert.deepEqual(analyze('DEC'), { kind: 'Column', index: 3, name: 'DEC', type: { kind: 'DECIMAL', precision: 4, scale: 2 } });
  assert.deepEqual(analyze('ROWTIME'), { kind: 'Pseudo', column: 'ROWTIME', type: { kind: 'BIGINT' } });
  assert.equal(typeOf('ROWPARTITION'), 'INTEGER');
  assert.equal(typeOf('ROWOFFSET'), 'BIGINT');
  assert.equal(typeOf('WINDOWSTART'), 'BIGINT');
});

test('unknown column: SqlError UNKNOWN_COLUMN with position and a hint', () => {
  try {
    analyze('I + FOO');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof SqlError);
    assert.equal(e.code, 'UNKNOWN_COLUMN');
    assert.equal(e.message, "1:5: Line: 1, Col: 5: Column 'FOO' cannot be resolved. Did you mean 'FOO_ID'?");
  }
  assert.equal(analysisError('DECC'), "1:1: Line: 1, Col: 1: Column 'DECC' cannot be resolved. Did you mean 'DEC'?");
  assert.equal(analysisError('zzz'), "1:1: Line: 1, Col: 1: Column 'ZZZ' cannot be resolved.");
});

test('qualified and ambiguous columns', () => {
  const s = columnsScope(
    [
      { name: 'ID', type: INTEGER, source: 'L' },
      { name: 'ID', type: STRING, source: 'R' },
      { name: 'V', type: INTEGER, source: 'R' },
    ],
    ['ROWTIME'],
  );
  assert.deepEqual(analyzeExpr(parse('R.ID'), s, functions), { kind: 'Column', index: 1, name: 'ID', source: 'R', type: STRING });
  assert.equal(formatTypedExpr(analyzeExpr(parse('R.ID'), s, functions)), 'R.ID');
  assert.equal(analyzeExpr(parse('V'), s, functions).kind, 'Column');
  assert.equal(analyzeExpr(parse('L.ROWTIME'), s, functions).kind, 'Pseudo');
  assert.throws(() => analyzeExpr(parse('ID'), s, functions), (e: SqlError) => e.code === 'AMBIGUOUS_COLUMN' && /Column 'ID' is ambiguous\. Could be L\.ID or R\.ID\./.test(e.message));
  assert.throws(() => analyzeExpr(parse('L.V'), s, functions), (e: SqlError) => e.code === 'UNKNOWN_COLUMN' && e.detail === "Line: 1, Col: 1: Column 'L.V' cannot be resolved.");
});

test('literal types follow ksqlDB', () => {
  assert.equal(typeOf('1'), 'INTEGER');
  assert.equal(typeOf('3000000000'), 'BIGINT');
  assert.equal(typeOf('1.50'), 'DECIMAL(3, 2)');
  assert.equal(typeOf('0.05'), 'DECIMAL(3, 2)');
  assert.equal(typeOf('10.30'), 'DECIMAL(4, 2)');
  assert.equal(typeOf('1.5E3'), 'DOUBLE');
  assert.equal(typeOf("'x'"), 'STRING');
  assert.equal(typeOf('true'), 'BOOLEAN');
  assert.deepEqual(analyze('-5'), { kind: 'Literal', value: -5, type: INTEGER });
  assert.deepEqual(analyze('-2.50'), { kind: 'Literal', value: '-2.50', type: { kind: 'DECIMAL', precision: 3, scale: 2 } });
  assert.match(analysisError('NULL')!, /^1:1: Can't infer a type of null\. Please explicitly cast it to a required type/);
});

test('arithmetic: widening INTEGER < BIGINT < DECIMAL < DOUBLE with implicit casts', () => {
  assert.equal(typeOf('I + I2'), 'INTEGER');
  assert.equal(show('I + L'), '(CAST(I AS BIGINT) + L)');
  assert.equal(typeOf('I + L'), 'BIGINT');
  assert.equal(show('L + 1'), '(L + 1)'); // the literal is converted at analysis time
  assert.equal(show('D * I'), '(D * CAST(I AS DOUBLE))');
  assert.equal(show('DEC + D'), '(CAST(DEC AS DOUBLE) + D)');
  assert.equal(typeOf('DEC + D'), 'DOUBLE');
  assert.equal(show('S + S'), '(S + S)');
  assert.equal(typeOf('S + S'), 'STRING');
  assert.equal(typeOf('I + NULL'), 'INTEGER');
});

test('DECIMAL arithmetic result types (ksqlDB SqlDecimal rules)', () => {
  // DEC is DECIMAL(4, 2), DEC2 is DECIMAL(3, 1)
  assert.equal(typeOf('DEC + DEC2'), 'DECIMAL(5, 2)');
  assert.equal(typeOf('DEC - DEC2'), 'DECIMAL(5, 2)');
  assert.equal(typeOf('DEC * DEC2'), 'DECIMAL(8, 3)');
  assert.equal(typeOf('DEC / DEC2'), 'DECIMAL(9, 6)');
  assert.equal(typeOf('DEC % DEC2'), 'DECIMAL(4, 2)');
  assert.equal(typeOf('DEC + I'), 'DECIMAL(13, 2)');
  assert.equal(show('DEC + I'), '(DEC + CAST(I AS DECIMAL(10, 0)))');
  assert.equal(typeOf('DEC * L'), 'DECIMAL(24, 2)');
  assert.equal(typeOf('1.5 / 3'), 'DECIMAL(13, 12)');
});

test('arithmetic type errors', () => {
  // ksqlDB's words: the expression, then the base types.
  assert.equal(analysisError("I + 'x'"), "1:1: Error processing expression: (I + 'x'). Unsupported arithmetic types. INTEGER STRING");
  assert.equal(analysisError('S - S'), '1:1: Error processing expression: (S - S). Unsupported arithmetic types. STRING STRING');
  assert.equal(analysisError('-S'), '1:1: Unary - needs a number, but S is STRING');
  assert.equal(analysisError('B * 2'), '1:1: Error processing expression: (B * 2). Unsupported arithmetic types. BOOLEAN INTEGER');
});

test('comparisons: valid pairs, common types and errors', () => {
  assert.equal(show('I < L'), '(CAST(I AS BIGINT) < L)');
  assert.equal(show('DEC = DEC2'), '(DEC = DEC2)'); // decimals compare by value without casts
  assert.equal(show('DEC > 1'), '(DEC > 1.00)');
  assert.equal(show('I > 10.5'), '(CAST(I AS DOUBLE) > 10.5)'); // same result, no decimal per row
  assert.equal(show('L <= 10.5'), '(CAST(L AS DOUBLE) <= 10.5)');
  assert.equal(show('I > 10000000000000.5'), '(CAST(I AS DECIMAL(15, 1)) > 10000000000000.5)');
  assert.equal(show("TS > '2020-01-01'"), "(TS > TIMESTAMP '2020-01-01T00:00:00.000')");
  assert.equal(show('DT < TS'), '(CAST(DT AS TIMESTAMP) < TS)');
  assert.equal(show('S <> TM'), '(CAST(S AS TIME) <> TM)');
  assert.equal(show('ARR = ARRAY[1, 2]'), '(ARR = ARRAY[1, 2])');
  assert.equal(show('LARR = ARR'), '(LARR = CAST(ARR AS ARRAY<BIGINT>))');
  assert.equal(show('I IS DISTINCT FROM NULL'), '(I IS DISTINCT FROM NULL)');
  assert.equal(analysisError("I = 'x'"), "1:1: Cannot compare I (INTEGER) to 'x' (STRING) with EQUAL.");
  assert.equal(analysisError('S = 1'), '1:1: Cannot compare S (STRING) to 1 (INTEGER) with EQUAL.');
  assert.equal(analysisError('B < B2'), '1:1: Cannot compare B (BOOLEAN) to B2 (BOOLEAN) with LESS_THAN. Values of type BOOLEAN only support =, <>, IS [NOT] DISTINCT FROM.');
  assert.equal(analysisError('ARR > ARR'), '1:1: Cannot compare ARR (ARRAY<INTEGER>) to ARR (ARRAY<INTEGER>) with GREATER_THAN. Values of type ARRAY<INTEGER> only support =, <>, IS [NOT] DISTINCT FROM.');
  assert.equal(analysisError('TM = TS'), '1:1: Cannot compare TM (TIME) to TS (TIMESTAMP) with EQUAL.');
  assert.equal(analysisError('I = NULL'), '1:1: Comparison with NULL not supported: INTEGER = NULL. Use IS NULL or IS NOT NULL instead');
});

test('ROWTIME/WINDOWSTART compared with a string: the string is a timestamp (partial, with offsets)', () => {
  assert.equal(show("ROWTIME > '2018-01-01T00:00:00.001'"), '(ROWTIME > 1514764800001)');
  assert.equal(show("ROWTIME >= '2018'"), '(ROWTIME >= 1514764800000)');
  assert.equal(show("ROWTIME > '2019-01-01T00:00:00+0445'"), '(ROWTIME > 1546283700000)');
  assert.equal(
    show("WINDOWSTART BETWEEN '2020-02-10T08:31:44.001+0000' AND '2020-02-10T08:31:44.011+0000'"),
    '(WINDOWSTART BETWEEN 1581323504001 AND 1581323504011)',
  );
  assert.match(analysisError("ROWTIME > 'yesterday'")!, /^1:11: Failed to parse timestamp 'yesterday'/);
});

test('logical operators need BOOLEAN', () => {
  assert.equal(typeOf('B AND NOT B2 OR I > 1'), 'BOOLEAN');
  assert.equal(show('B AND NULL'), '(B AND NULL)');
  assert.equal(analysisError('B AND I'), '1:7: AND operand must be BOOLEAN, but I is INTEGER');
  assert.equal(analysisError('NOT S'), '1:5: NOT operand must be BOOLEAN, but S is STRING');
  assert.equal(analysisError('CASE WHEN I THEN 1 END'), '1:11: WHEN condition must be BOOLEAN, but I is INTEGER');
});

test('BETWEEN converts all three to one comparison type', () => {
  assert.equal(show('I BETWEEN 1 AND L'), '(CAST(I AS BIGINT) BETWEEN 1 AND L)');
  assert.equal(show('I BETWEEN 1 AND 2.5'), '(CAST(I AS DOUBLE) BETWEEN 1.0 AND 2.5)');
  assert.equal(show('DEC BETWEEN 1 AND 2.5'), '(DEC BETWEEN 1.00 AND 2.5)');
  assert.equal(show("S BETWEEN 'a' AND 'c'"), "(S BETWEEN 'a' AND 'c')");
  assert.equal(analysisError("I BETWEEN 1 AND 'x'"), "1:1: Cannot compare I (INTEGER) to 'x' (STRING) with BETWEEN.");
});

test('IN lists: common type, lax literals, struct unions', () => {
  assert.equal(show("I IN (1, '2', 3.00)"), '(CAST(I AS DECIMAL(12, 2)) IN (1.00, 2.00, 3.00))');
  assert.equal(show("S IN (true, 10, '10.1', 10.30, S)"), "(S IN ('true', '10', '10.1', '10.30', S))");
  assert.equal(show("L IN (1, 2.0, '4.000', D)"), '(CAST(L AS DOUBLE) IN (1.0, 2.0, 4.0, D))');
  assert.equal(show('I IN (NULL, 1)'), '(I IN (NULL, 1))');
  assert.equal(
    show("ST IN (STRUCT(X := 1), STRUCT(Y := 'a', Z := 2))"),
    "(CAST(ST AS STRUCT<`X` INTEGER, `Y` STRING, `Z` INTEGER>) IN (STRUCT(X:=1, Y:=NULL, Z:=NULL), STRUCT(X:=NULL, Y:='a', Z:=2)))",
  );
  assert.equal(analysisError("I IN (1, 'abc')"), '1:10: invalid input syntax for type INTEGER: "abc".');
  assert.match(analysisError('I IN (1, ARR)')!, /^1:10: operator does not exist: INTEGER = ARRAY<INTEGER> \(ARR\)\nHint: You might need to add explicit type casts. Incompatible types in IN list/);
});

test('LIKE needs strings; CASE unifies its results', () => {
  assert.equal(typeOf("S LIKE 'a%' ESCAPE '!'"), 'BOOLEAN');
  assert.equal(analysisError("I LIKE 'a%'"), '1:1: LIKE operand must be STRING, but I is INTEGER');
  assert.equal(analysisError('S\n  LIKE 5'), '2:8: LIKE pattern must be STRING, but 5 is INTEGER');
  assert.equal(show('CASE WHEN B THEN 1 WHEN B2 THEN 2.5 END'), '(CASE WHEN B THEN 1.0 WHEN B2 THEN 2.5 END)');
  assert.equal(typeOf('CASE WHEN B THEN L ELSE I END'), 'BIGINT');
  assert.equal(show('CASE I WHEN 1 THEN S ELSE NULL END'), '(CASE WHEN (I = 1) THEN S ELSE NULL END)');
  assert.match(analysisError('CASE WHEN B THEN NULL END')!, /Invalid Case expression\. All case branches have NULL type/);
  assert.match(analysisError("CASE WHEN B THEN 1 ELSE 'x' END")!, /invalid input syntax for type INTEGER: "x"/);
  assert.match(analysisError('CASE WHEN B THEN I ELSE S END')!, /operator does not exist: INTEGER = STRING \(S\)\nHint: You might need to add explicit type casts. Incompatible types in CASE results/);
});

test('CAST: allowed conversions, NULL, no-op casts', () => {
  assert.deepEqual(analyze('CAST(NULL AS INT)'), { kind: 'Literal', value: null, type: INTEGER });
  assert.deepEqual(analyze('CAST(I AS INT)'), analyze('I'));
  for (const ok of ['CAST(D AS INT)', 'CAST(S AS DECIMAL(5,2))', 'CAST(ARR AS ARRAY<STRING>)', 'CAST(TS AS DATE)', 'CAST(DT AS TIMESTAMP)', 'CAST(ST AS STRING)', "CAST('2020-01-01' AS DATE)", 'CAST(M AS MAP<STRING, DOUBLE>)', 'CAST(ST AS STRUCT<X BIGINT, Q INT>)']) {
    assert.equal(analysisError(ok), null, ok);
  }
  assert.equal(analysisError('CAST(ARR AS MAP<STRING, INT>)'), '1:1: Cast of ARRAY<INTEGER> to MAP<STRING, INTEGER> is not supported');
  assert.equal(analysisError('CAST(TM AS TIMESTAMP)'), '1:1: Cast of TIME to TIMESTAMP is not supported');
  assert.equal(analysisError('CAST(B AS INT)'), '1:1: Cast of BOOLEAN to INTEGER is not supported');
});

test('struct dereference, array and map subscripts', () => {
  assert.equal(typeOf('ST->X'), 'INTEGER');
  assert.equal(typeOf('ARR[1]'), 'INTEGER');
  assert.equal(show('ARR[L]'), 'ARR[CAST(L AS INTEGER)]');
  assert.equal(typeOf("M['k']"), 'INTEGER');
  assert.equal(analysisError('ST->Q'), "1:1: Could not find field 'Q' in ST. Fields: X, Y");
  assert.equal(analysisError('ST->`x`'), "1:1: Could not find field 'x' in ST. Did you mean 'X'?");
  assert.equal(analysisError('I->X'), "1:1: Cannot dereference I: '->' applies to STRUCT values, not INTEGER");
  assert.equal(analysisError("ST['X']"), "1:1: Subscript [] applies to ARRAY and MAP values, not STRUCT<`X` INTEGER, `Y` STRING>. Use the dereference operator for STRUCTs: ST->'X'");
  assert.equal(analysisError("ARR['a']"), "1:5: Array index must be INTEGER, but 'a' is STRING");
});

test('constructors: element types, coercion, errors', () => {
  assert.equal(typeOf("ARRAY[NULL, 10, '2e1', I, L]"), 'ARRAY<DECIMAL(19, 0)>');
  assert.equal(typeOf('ARRAY[NULL, STRUCT(X := I, Y := L), STRUCT(Y := I, Z := L)]'), 'ARRAY<STRUCT<`X` INTEGER, `Y` BIGINT, `Z` BIGINT>>');
  assert.equal(typeOf("MAP('a' := 1, 'b' := L)"), 'MAP<STRING, BIGINT>');
  assert.equal(typeOf('STRUCT(F1 := S, F2 := ARR)'), 'STRUCT<`F1` STRING, `F2` ARRAY<INTEGER>>');
  assert.equal(typeOf('STRUCT()'), 'STRUCT<>');
  assert.match(analysisError('ARRAY[NULL]')!, /all NULL elements/);
  assert.match(analysisError('STRUCT(A := NULL)')!, /type of NULL for field 'A'/);
});

test('function calls: resolution, lambdas, time units, literal arguments', () => {
  assert.equal(typeOf('TRANSFORM(ARR, x => x * 2.5)'), 'ARRAY<DECIMAL(13, 1)>');
  assert.equal(show('TRANSFORM(ARR, x => x + I)'), 'TRANSFORM(ARR, X => (X + I))');
  assert.equal(typeOf('REDUCE(ARR, 0, (acc, x) => acc + x)'), 'INTEGER');
  assert.equal(typeOf('TRANSFORM(ARR, x => TRANSFORM(ARR, y => y + x))'), 'ARRAY<ARRAY<INTEGER>>');
  assert.equal(typeOf('UNIT(SECONDS)'), 'STRING');
  assert.equal(typeOf("LITERAL_ONLY('x')"), 'STRING');
  assert.equal(analysisError('LITERAL_ONLY(S)'), '1:1: LITERAL_ONLY needs a string literal');
  assert.equal(typeOf('IFNULL(NULL, 1)'), 'INTEGER');
  const call = analyze('IFNULL(NULL, I)');
  assert.ok(call.kind === 'Call');
  assert.deepEqual(call.argTypes, [null, INTEGER]);
  assert.match(analysisError("REDUCE(ARR, 0, (acc, x) => 'a')")!, /REDUCE body type STRING must be INTEGER/);
});

test('function call errors: unknown, aggregate, table functions, bad lambdas', () => {
  assert.throws(() => analyze('NOPE(1)'), (e: SqlError) => e.code === 'UNKNOWN_FUNCTION' && e.message === "1:1: Can't find any functions with the name 'NOPE'");
  assert.equal(analysisError('I + SUM(I)'), '1:5: Aggregate functions are not allowed here: SUM');
  assert.equal(analysisError('EXPLODE(ARR)'), '1:1: Table functions are not allowed here: EXPLODE');
  assert.equal(analysisError('TRANSFORM(ARR, I)'), '1:1: TRANSFORM(ARRAY, x => ...) expected');
  assert.match(analysisError('TRANSFORM(ARR, (a, b) => a)')!, /Lambda expects 2 parameter\(s\) but is given 1/);
  assert.match(analysisError('TRANSFORM(ARR, x => zz)')!, /^1:21: Line: 1, Col: 21: Column 'ZZ' cannot be resolved/);
});

test('errors inside multi-line expressions point at the offending part', () => {
  assert.equal(analysisError('I > 1 AND\n  (S = 2)'), '2:3: Cannot compare S (STRING) to 2 (INTEGER) with EQUAL.');
  assert.equal(analysisError('I + 1 > 2\n  AND ST->Q = 1'), "2:7: Could not find field 'Q' in ST. Fields: X, Y");
});

test('a hand-built AST (no parser) analyzes the same', () => {
  const span = (column: number): Span => ({ line: 1, column, start: column - 1, end: column });
  const expr: Expr = {
    kind: 'Comparison',
    op: '>',
    left: { kind: 'ColumnRef', source: null, name: 'I', span: span(1) },
    right: { kind: 'Literal', type: 'INTEGER', raw: '10', span: span(5) },
    span: span(1),
  };
  assert.deepEqual(analyzeExpr(expr, scope, functions), analyze('I > 10'));
});

test('typed trees are JSON-serialisable and round-trip', () => {
  for (const text of ["DEC * 2.5 + CAST('1.5' AS DECIMAL(3,1))", 'L + 9007199254740993', "TRANSFORM(ARR, x => x + 1)", "CAST(BYT AS STRING) = 'AQI='", "X'0102' IS NULL", '1e308 * 10 > D']) {
    const t: TypedExpr = analyze(text);
    assert.deepEqual(JSON.parse(JSON.stringify(t)), t, text);
  }
});

test('analyzeExprAs converts like an assignment', () => {
  const as = (text: string, t: Parameters<typeof analyzeExprAs>[1]) => formatTypedExpr(analyzeExprAs(parse(text), t, scope, functions));
  assert.equal(as("'10'", INTEGER), '10');
  assert.equal(as('NULL', INTEGER), 'NULL');
  assert.equal(as('I', { kind: 'BIGINT' }), 'CAST(I AS BIGINT)');
  assert.equal(as("'2020-01-01T10:00:00'", TIMESTAMP), "TIMESTAMP '2020-01-01T10:00:00.000'");
  assert.throws(() => analyzeExprAs(parse("'abc'"), INTEGER, scope, functions), /Cannot coerce "abc" \(STRING\) to INTEGER/);
});

test('analyzeFunctionArgs types the arguments of calls the statement analyzer resolves', () => {
  const call = parse('TOPK(I, NULL, 3, x => x + 1)');
  assert.ok(call.kind === 'FunctionCall');
  const a = analyzeFunctionArgs(call.args, scope, functions, 'topk');
  assert.equal(a.argTypes.length, 4);
  assert.deepEqual(a.argTypes.slice(0, 3), [INTEGER, null, INTEGER]);
  assert.equal(a.ctx.literalArg(2), 3);
  assert.equal(a.ctx.literalArg(0), undefined);
  const lambda = a.argTypes[3];
  assert.ok(lambda && lambda.kind === 'LAMBDA');
  assert.deepEqual(lambda.bodyType([INTEGER]), INTEGER);
  const done = a.finish();
  assert.equal(done.args.map(formatTypedExpr).join(', '), 'I, NULL, 3, X => (X + 1)');
  assert.deepEqual(done.argTypes[3], { kind: 'LAMBDA', paramTypes: [INTEGER], bodyType: INTEGER });
});
