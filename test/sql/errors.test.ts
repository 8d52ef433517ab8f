import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { MAX_EXPR_DEPTH } from '../../src/sql/nesting.ts';
import { MAX_JOINS } from '../../src/sql/parse-query.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { parseExpression, parseStatement, parseStatements, parseType } from '../../src/sql/parser.ts';
import { parseError } from './helpers.ts';

const msg = (text: string) => parseError(() => parseStatements(text)).message;

test('syntax errors say what was found and what was expected, at line:column of the script', () => {
  const script = "CREATE STREAM s (a INT) WITH (kafka_topic='t');\nSELECT a,\n  b AS c FORM t;";
  const e = parseError(() => parseStatements(script));
  assert.equal(e.message, "3:10: Syntax error at 'FORM': expected ',' or FROM");
  assert.deepEqual([e.span?.line, e.span?.column], [3, 10]);
  assert.equal(e.detail, "Syntax error at 'FORM': expected ',' or FROM");
  assert.equal(msg('SELECT * FROM t WHERE a = 1 LIMT 5'), "1:29: Syntax error at 'LIMT': expected GROUP, PARTITION, HAVING, EMIT, ORDER, LIMIT, OFFSET or ';'");
  // ksqlDB's words for a word that starts no statement, with its nearest command.
  assert.equal(msg('SELEC * FROM t'), "1:1: line 1:1: Syntax Error\nUnknown statement 'SELEC'\nDid you mean 'SELECT'?\nStatement: SELEC * FROM t");
  assert.equal(msg('(SELECT 1)'), "1:1: Syntax error at '(': expected a statement (SELECT, CREATE, INSERT, DROP, SHOW, DESCRIBE, ...)");
  assert.equal(msg('CREATE STREM s'), "1:8: Syntax error at 'STREM': expected OR, SOURCE, STREAM, TABLE, TOPIC, MODEL, TYPE or PIPELINE");
  // Only a closing bracket fits: ksqlDB's (ANTLR's) wording for a missing token, with the statement.
  assert.equal(msg('SELECT (a + b FROM t'), "1:15: line 1:15: Syntax Error\nmissing ')' at 'FROM'\nStatement: SELECT (a + b FROM t");
  assert.equal(msg('SELECT * FROM t WHERE'), '1:22: Syntax error at end of input: expected an expression');
  assert.equal(msg('SELECT * FROM t WHERE;'), "1:22: Syntax error at ';': expected an expression");
  assert.equal(msg('SELECT a IS FOO FROM t'), "1:13: Syntax error at 'FOO': expected NOT, NULL or DISTINCT");
  assert.equal(msg('SELECT * FROM a JOIN b'), '1:23: Syntax error at end of input: expected AS, WITHIN or ON');
  assert.equal(msg('SELECT a FROM t EMIT'), '1:21: Syntax error at end of input: expected CHANGES or FINAL');
  assert.equal(msg('INSERT INTO t SELEC'), "1:15: Syntax error at 'SELEC': expected WITH, '(', VALUES or SELECT");
  assert.equal(msg('SELECT CAST(a AS) FROM t'), "1:17: Syntax error at ')': expected a type");
  assert.equal(msg("SET foo = 'bar'"), "1:5: Syntax error at 'foo': expected a property name in quotes");
  assert.match(msg('SELECT * FROM table'), /^1:15: Syntax error at 'table': expected a stream or table name \(TABLE is a reserved word; quote it/);
  assert.equal(msg('SELECT * FROM t WINDOW TUMBLING (5 SECONDS)'), "1:34: Syntax error at '5': expected SIZE");
  assert.match(msg('SELECT * FROM t WINDOW TUMBLING (SIZE 5 SECS)'), /^1:41: Syntax error at 'SECS': expected a time unit/);
});

test('the expected list stays short', () => {
  for (const text of ['SELECT * FROM t x y', 'SELECT * FROM t GROUP BY a b', 'CREATE STREAM s (a INT) x', 'SELECT a b c FROM t']) {
    const e = parseError(() => parseStatements(text));
    const expected = e.message.split('expected ')[1] ?? '';
    assert.ok(expected.split(/, | or /).length <= 8, e.message);
  }
});

test('semantic checks in the parser', () => {
  assert.equal(msg('CREATE STREAM s (a FLOAT)'), "1:20: Unknown type 'FLOAT': expected BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, TIMESTAMP, DATE, TIME, ARRAY, MAP, STRUCT or a type from CREATE TYPE");
  assert.equal(msg('CREATE STREAM s (a INT, A INT)'), "1:25: Duplicate column 'A'");
  assert.equal(msg("CREATE STREAM s WITH (kafka_topic='t', KAFKA_TOPIC='u')"), '1:40: Duplicate property KAFKA_TOPIC');
  assert.equal(msg('CREATE STREAM s (a INT) AS SELECT * FROM t'), '1:17: CREATE STREAM ... AS SELECT cannot declare columns');
  assert.match(msg('SELECT 99999999999999999999 FROM t'), /^1:8: Failed to prepare statement: line 1:9: Invalid numeric literal: 99999999999999999999/);
  assert.match(msg("SELECT X'ABC' FROM t"), /^1:8: Invalid BYTES literal X'ABC'/);
  assert.match(msg('SELECT CAST(a AS DECIMAL(2, 3)) FROM t'), /^1:29: DECIMAL scale \(3\) must not exceed its precision \(2\)/);
  assert.match(msg('SELECT f((a, a) => a) FROM t'), /Duplicate lambda parameter 'A'/);
  assert.match(msg('SELECT STRUCT(a := 1, A := 2) FROM t'), /Duplicate field names found in STRUCT: 'A'/);
});

test('lexical errors: unterminated strings, quoted names, comments; stray characters', () => {
  assert.equal(msg("SELECT 'abc FROM t"), "1:8: Unterminated string literal: missing closing quote (')");
  assert.equal(msg('SELECT "abc FROM t'), '1:8: Unterminated quoted identifier: missing closing quote (")');
  assert.equal(msg('SELECT `abc FROM t'), '1:8: Unterminated quoted identifier: missing closing backquote (`)');
  assert.equal(msg('SELECT a FROM t /* comment'), "1:17: Unterminated comment: missing '*/'");
  assert.equal(msg('SELECT a # b FROM t'), "1:10: Unexpected character '#'");
  assert.equal(msg('SELECT 1 FROM t;\n\n  SELECT $x FROM t'), "3:10: Unexpected character '$'");
  assert.equal(parseError(() => parseExpression("'x")).message, "1:1: Unterminated string literal: missing closing quote (')");
});

test('lazy parsing yields the statements before an error first', () => {
  const seen: string[] = [];
  const e = parseError(() => {
    for (const p of parseStatements("SHOW STREAMS; SHOW TABLES; SELECT 'oops", undefined, { lazy: true })) seen.push(p.text);
  });
  assert.deepEqual(seen, ['SHOW STREAMS', 'SHOW TABLES']);
  assert.equal(e.message, "1:35: Unterminated string literal: missing closing quote (')");
  const seen2: string[] = [];
  parseError(() => {
    for (const p of parseStatements('SHOW STREAMS; SHOW STREEMS; SHOW TABLES', undefined, { lazy: true })) seen2.push(p.text);
  });
  assert.deepEqual(seen2, ['SHOW STREAMS']);
});

test('parseStatement wants exactly one statement; parseExpression and parseType the whole text', () => {
  assert.equal(parseError(() => parseStatement('')).message, '1:1: Empty statement: expected a statement');
  assert.equal(
    parseError(() => parseStatement('SELECT 1 FROM a; SELECT 2 FROM b')).message,
    "1:18: Expected a single statement, found another one starting at 'SELECT'",
  );
  assert.equal(parseStatement('SHOW STREAMS;').kind, 'Show');
  assert.equal(parseError(() => parseExpression('a b')).message, "1:3: Syntax error at 'b': expected end of input");
  assert.equal(parseError(() => parseExpression('')).message, '1:1: Syntax error at end of input: expected an expression');
  assert.equal(parseError(() => parseType('INT INT')).message, "1:5: Syntax error at 'INT': expected '(' or end of input");
});

test('error spans point into multi-line scripts (CRLF too) and carry statement offsets', () => {
  const e = parseError(() => parseStatements('SHOW STREAMS;\r\n\r\n  SELECT *\r\n\tFROM t WHERE a ==;'));
  // Columns count characters (a tab is one); start/end are offsets in the statement's own text.
  assert.equal(e.message, "4:18: Syntax error at '=': expected an expression");
  assert.deepEqual(e.span, { line: 4, column: 18, start: 27, end: 28 });
  assert.equal('SELECT *\r\n\tFROM t WHERE a =='.slice(27, 28), '=');
});

test('deeply nested input fails with a SqlError, not a stack overflow', () => {
  assert.match(parseError(() => parseExpression('('.repeat(50_000) + '1' + ')'.repeat(50_000))).message, /nested too deeply/);
  assert.match(parseError(() => parseExpression('- '.repeat(50_000) + 'a')).message, /nested too deeply/);
  assert.match(parseError(() => parseExpression('NOT '.repeat(50_000) + 'a')).message, /nested too deeply/);
  assert.match(parseError(() => parseType('ARRAY<'.repeat(50_000) + 'INT' + '>'.repeat(50_000))).message, /nested too deeply/);
  // Operator chains nest without recursing in the parser, but every later stage walks the tree:
  // the depth of the whole tree is bounded (MAX_EXPR_DEPTH), with the position of the expression.
  assert.equal(parseExpression('1' + ' + 1'.repeat(MAX_EXPR_DEPTH - 1)).kind, 'ArithmeticBinary');
  assert.match(parseError(() => parseExpression('1' + ' + 1'.repeat(MAX_EXPR_DEPTH))).message, /^1:1: Expression nested too deeply/);
  assert.match(parseError(() => parseExpression('x = 1' + ' OR x = 1'.repeat(20_000))).message, /^1:\d+: Expression nested too deeply/);
  assert.match(parseError(() => parseExpression('a' + '[1]'.repeat(20_000))).message, /^1:1: Expression nested too deeply/);
  // Wide is not deep: a CASE with thousands of branches and long IN lists are lists.
  assert.equal(parseExpression(`CASE ${'WHEN x = 1 THEN 2 '.repeat(5000)}END`).kind, 'Case');
  assert.equal(parseExpression(`x IN (${Array(20_000).fill('1').join(', ')})`).kind, 'InList');
});

test('fuzz: mutated corpus statements and random token soup only ever raise PARSE SqlErrors', () => {
  const dir = process.env.RIFFLE_CONFORMANCE_DIR ?? new URL('../../../shared/conformance/ksql', import.meta.url).pathname;
  const texts = existsSync(dir)
    ? readdirSync(dir)
        .slice(0, 200)
        .map((d) => readFileSync(`${dir}/${d}/statements.sql`, 'utf8'))
    : ['SELECT a, b + 1 AS c FROM s WHERE x IN (1, 2) EMIT CHANGES;'];
  const pieces = ['(', ')', ',', ';', "'", '"', '`', '->', '=>', ':=', '[', ']', '*', '-', '--', '/*', '*/', '${x}', '${', 'SELECT', 'FROM', 'AS', 'NOT', 'CASE', 'END', 'WINDOW', 'JOIN', 'ON', 'ARRAY', 'MAP', 'STRUCT', 'CAST', 'OVER', '1', '1.5', '1e9', "X'", 'IS', 'NULL', 'BETWEEN', 'AND', '\n', '<', '>', '#', '€'];
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const check = (f: () => unknown, input: string) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof SqlError, `non-SqlError ${String(e)} for ${JSON.stringify(input)}`);
      assert.equal(e.code, 'PARSE');
      assert.ok(!e.message.includes('Internal parser error'), `${e.message} for ${JSON.stringify(input)}`);
      assert.ok(e.span, `no span: ${e.message}`);
    }
  };
  const vars = new Map([['x', 'val']]);
  for (let i = 0; i < 3000; i++) {
    let s = texts[rnd(texts.length)];
    for (let k = 1 + rnd(3); k > 0; k--) {
      const pos = rnd(s.length + 1);
      const op = rnd(4);
      if (op === 0) s = s.slice(0, pos) + pieces[rnd(pieces.length)] + s.slice(pos);
      else if (op === 1) s = s.slice(0, pos) + s.slice(pos + 1 + rnd(10));
      else if (op === 2) s = s.slice(0, pos);
      else s = s.slice(0, pos) + String.fromCharCode(rnd(128)) + s.slice(pos);
    }
    check(() => parseStatements(s, vars), s);
    const start = rnd(s.length);
    const e = s.slice(start, start + rnd(60));
    check(() => parseExpression(e), e);
  }
  for (let i = 0; i < 2000; i++) {
    let s = '';
    for (let k = rnd(25); k > 0; k--) s += pieces[rnd(pieces.length)] + (rnd(2) ? ' ' : '');
    check(() => parseStatements(s), s);
    check(() => parseExpression(s), s);
  }
});

test('a FROM clause joins at most MAX_JOINS + 1 sources (every later stage walks the join tree)', () => {
  const joins = (n: number) => `SELECT * FROM s a0 ${Array.from({ length: n }, (_, i) => `JOIN s a${i + 1} WITHIN 1 HOUR ON a0.id = a${i + 1}.id`).join(' ')} EMIT CHANGES;`;
  assert.equal(parseStatement(joins(MAX_JOINS)).kind, 'QueryStatement');
  assert.match(parseError(() => parseStatement(joins(MAX_JOINS + 1))).message, /^1:\d+: Too many joins: a query joins at most 101 sources/);
});

test('the expression depth limit can be lifted for replaying the command log', () => {
  const deep = `SELECT ${'1 + '.repeat(600)}1 AS x FROM s EMIT CHANGES;`;
  assert.match(parseError(() => parseStatements(deep)).message, /nested too deeply/);
  assert.equal(parseStatements(deep, undefined, { maxExprDepth: Infinity }).length, 1);
});
