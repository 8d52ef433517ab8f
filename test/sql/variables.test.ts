import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedStatement } from '../../src/sql/ast.ts';
import { parseStatement, parseStatements } from '../../src/sql/parser.ts';
import { col, lit, parseError, stripSpans } from './helpers.ts';

const vars = (o: Record<string, string>) => new Map(Object.entries(o));

test('${var} substitution in code, string literals and quoted names; not in comments', () => {
  const [p] = parseStatements(
    "CREATE STREAM ${name} (${col} INT, `${col}_2` INT) WITH (kafka_topic='${topic}', value_format='${fmt}') -- ${nope}",
    vars({ name: 'orders', col: 'qty', topic: 'orders-topic', fmt: 'JSON' }),
  );
  assert.equal(p.text, "CREATE STREAM orders (qty INT, `qty_2` INT) WITH (kafka_topic='orders-topic', value_format='JSON')");
  const s = p.statement;
  assert.equal(s.kind, 'CreateSource');
  if (s.kind !== 'CreateSource') return;
  assert.equal(s.name, 'ORDERS');
  assert.deepEqual(s.columns?.map((c) => c.name), ['QTY', 'qty_2']);
  assert.equal(s.properties.get('KAFKA_TOPIC')?.raw, 'orders-topic');
});

test('a value substituted into a string literal stays one literal', () => {
  const s = parseStatement("SELECT '${v}' FROM t", vars({ v: "it's" }));
  assert.deepEqual(s.kind === 'QueryStatement' && stripSpans(s.query.select[0]), { kind: 'SelectExpr', expr: lit('STRING', "it's"), alias: null });
});

test('a value can be any SQL text outside literals', () => {
  const s = parseStatement('SELECT ${cols} FROM t WHERE ${cond}', vars({ cols: 'a, b', cond: 'a > 1' }));
  assert.equal(s.kind === 'QueryStatement' && s.query.select.length, 2);
});

test('DEFINE and UNDEFINE in a script apply to the statements after them; names are case-insensitive', () => {
  const parsed = parseStatements("DEFINE Topic = 'src';\nSELECT * FROM ${topic};\nSELECT * FROM ${TOPIC};");
  assert.equal(parsed[1].text, 'SELECT * FROM src');
  assert.equal(parsed[2].text, 'SELECT * FROM src');
  const e = parseError(() => parseStatements("DEFINE t = 'src';\nUNDEFINE t;\nSELECT * FROM ${t};"));
  assert.equal(e.message, '3:15: Undefined variable ${t}: DEFINE it first');
  // The script's DEFINE overrides the caller's value.
  const p = parseStatements("SELECT * FROM ${x}; DEFINE x = 'b'; SELECT * FROM ${x};", vars({ X: 'a' }));
  assert.deepEqual([p[0].text, p[2].text], ['SELECT * FROM a', 'SELECT * FROM b']);
});

test('an unknown variable is an error at its position', () => {
  const e = parseError(() => parseStatements("SHOW STREAMS;\nSELECT a,\n  '${nope}' FROM t;"));
  assert.equal(e.message, '3:4: Undefined variable ${nope}: DEFINE it first');
  assert.deepEqual([e.span?.line, e.span?.column], [3, 4]);
  assert.equal(parseError(() => parseStatements('SELECT ${x FROM t')).message, '1:8: Malformed variable reference: expected ${name}');
});

test('spans after substitution: line/column in the original script, offsets in the substituted text', () => {
  const script = "SHOW TOPICS;\nSELECT ${c}, b\n  FROM ${src} WHERE x = 'y';";
  const [, p] = parseStatements(script, vars({ c: 'long_column_name', src: 's' }));
  assert.equal(p.text, "SELECT long_column_name, b\n  FROM s WHERE x = 'y'");
  const q = p.statement.kind === 'QueryStatement' ? p.statement.query : assert.fail();
  const first = q.select[0];
  // Inside a substituted value: the position of the `${`.
  assert.deepEqual([first.span.line, first.span.column], [2, 8]);
  assert.equal(p.text.slice(first.span.start, first.span.end), 'long_column_name');
  // After a substituted value: shifted back to the original column.
  const second = q.select[1];
  assert.deepEqual([second.span.line, second.span.column], [2, 14]);
  assert.equal(p.text.slice(second.span.start, second.span.end), 'b');
  const where = q.where!;
  assert.deepEqual([where.span.line, where.span.column], [3, 21]);
  assert.equal(p.text.slice(where.span.start, where.span.end), "x = 'y'");
  // Errors after a substitution point into the original script too.
  const e = parseError(() => parseStatements("SELECT ${c} FROM t WHERE ;", vars({ c: 'a, b, c' })));
  assert.equal(e.message, "1:26: Syntax error at ';': expected an expression");
});

test('lazy parsing reads the variables map live', () => {
  const variables = new Map<string, string>();
  const texts: string[] = [];
  for (const p of parseStatements("DEFINE a = '1'; SELECT ${b} FROM t;", variables, { lazy: true }) as Iterable<ParsedStatement>) {
    // The caller executes DEFINE its own way, e.g. with a different value.
    if (p.statement.kind === 'DefineVariable') variables.set('B', 'col');
    texts.push(p.text);
  }
  assert.deepEqual(texts, ["DEFINE a = '1'", 'SELECT col FROM t']);
});

test('spans of statements and nodes in a multi-line script', () => {
  const script = "-- header\nCREATE STREAM s (\n  id INT KEY,\n  v STRING\n) WITH (kafka_topic='t');\n\n  SELECT v AS x\n  FROM s;";
  const [create, select] = parseStatements(script);
  assert.deepEqual(create.statement.span, { line: 2, column: 1, start: 0, end: create.text.length });
  const cols = create.statement.kind === 'CreateSource' ? create.statement.columns! : assert.fail();
  assert.deepEqual(cols[1].span, { line: 4, column: 3, start: 34, end: 42 });
  assert.equal(create.text.slice(cols[1].span.start, cols[1].span.end), 'v STRING');
  const q = select.statement.kind === 'QueryStatement' ? select.statement.query : assert.fail();
  assert.deepEqual(q.span, { line: 7, column: 3, start: 0, end: 22 });
  assert.deepEqual(q.select[0].span, { line: 7, column: 10, start: 7, end: 13 });
  assert.deepEqual(q.from.span, { line: 8, column: 8, start: 21, end: 22 });
  assert.deepEqual(stripSpans(q.select[0]), { kind: 'SelectExpr', expr: col('V'), alias: 'X' });
});
