import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExpression, formatIdentifier, formatStatement } from '../../src/sql/format.ts';
import { parseExpression, parseStatement } from '../../src/sql/parser.ts';
import { stripSpans } from './helpers.ts';

const fe = (text: string) => formatExpression(parseExpression(text));
const fs = (text: string) => formatStatement(parseStatement(text));

test('expressions print in ksqlDB canonical style', () => {
  assert.equal(fe('a+1'), '(A + 1)');
  assert.equal(fe('a + b * c'), '(A + (B * C))');
  assert.equal(fe('substring(s, 1, 2)'), 'SUBSTRING(S, 1, 2)');
  assert.equal(fe('s->f'), 'S->F');
  assert.equal(fe('t.col'), 'T.COL');
  assert.equal(fe('"lower".`Mixed Case`'), '`lower`.`Mixed Case`');
  assert.equal(fe('a = 1 AND NOT b IS NULL'), '((A = 1) AND (NOT (B IS NULL)))');
  assert.equal(fe('a NOT BETWEEN 1 AND 2'), '(A NOT BETWEEN 1 AND 2)');
  assert.equal(fe("a LIKE 'x!%' ESCAPE '!'"), "(A LIKE 'x!%' ESCAPE '!')");
  assert.equal(fe('a IS NOT DISTINCT FROM b'), '(A IS NOT DISTINCT FROM B)');
  assert.equal(fe('a IN (1, 2)'), '(A IN (1, 2))');
  assert.equal(fe("CASE WHEN a THEN 'it''s' ELSE NULL END"), "(CASE WHEN A THEN 'it''s' ELSE NULL END)");
  assert.equal(fe('CAST(a AS STRUCT<x INT>)'), 'CAST(A AS STRUCT<`X` INTEGER>)');
  assert.equal(fe('count(*)'), 'COUNT(*)');
  assert.equal(fe('count(distinct a)'), 'COUNT(DISTINCT A)');
  assert.equal(fe('transform(arr, x => x * 2)'), 'TRANSFORM(ARR, X => (X * 2))');
  assert.equal(fe('reduce(arr, 0, (s, x) => s + x)'), 'REDUCE(ARR, 0, (S, X) => (S + X))');
  assert.equal(fe("ARRAY[1, 2]"), 'ARRAY[1, 2]');
  assert.equal(fe("MAP('a' := 1)"), "MAP('a':=1)");
  assert.equal(fe('STRUCT(a := 1)'), 'STRUCT(A:=1)');
  assert.equal(fe('timestampadd(seconds, 1, ts)'), 'TIMESTAMPADD(SECONDS, 1, TS)');
  assert.equal(fe("X'0a'"), "X'0A'");
  assert.equal(fe('arr[1]->f'), 'ARR[1]->F');
  assert.equal(fe('SUM(x) OVER (PARTITION BY k ORDER BY t DESC ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)'),
    'SUM(X) OVER (PARTITION BY K ORDER BY T DESC ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)');
});

test('names that would read back differently are back-quoted', () => {
  assert.equal(formatIdentifier('ABC'), 'ABC');
  assert.equal(formatIdentifier('abc'), '`abc`');
  assert.equal(formatIdentifier('A B'), '`A B`');
  assert.equal(formatIdentifier('A`B'), '`A``B`');
  assert.equal(formatIdentifier('SELECT'), '`SELECT`');
  assert.equal(formatIdentifier('1ABC'), '`1ABC`');
  assert.equal(formatIdentifier('KEY'), 'KEY');
  assert.equal(formatIdentifier('SECONDS'), '`SECONDS`');
  assert.equal(fe('map[1]'), '`MAP`[1]');
});

test('signs and literals round-trip exactly', () => {
  for (const text of ['-5', '-(5)', '- -5', '-(-5)', '-a', '-(a + 1)', '(-a)[1]', '(-5)->f', '-a->f', '2147483648', '1.50', '1e3', "''", 'x - -1']) {
    const e = parseExpression(text);
    assert.deepEqual(stripSpans(parseExpression(formatExpression(e))), stripSpans(e), `${text} -> ${formatExpression(e)}`);
  }
});

test('statements print with clauses on their own lines and round-trip', () => {
  assert.equal(
    fs("create stream s (id string key, v int) with (kafka_topic='t', value_format='JSON', partitions=1)"),
    "CREATE STREAM S (ID STRING KEY, V INTEGER) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);",
  );
  assert.equal(
    fs('create table t as select k, count(*) c from s1 a left join s2 b within 10 seconds on a.k = b.k window tumbling (size 1 hour) where a.v > 0 group by k having count(*) > 1 emit changes'),
    [
      'CREATE TABLE T AS SELECT K, COUNT(*) AS C',
      'FROM S1 AS A',
      'LEFT OUTER JOIN S2 AS B WITHIN 10 SECONDS ON (A.K = B.K)',
      'WINDOW TUMBLING (SIZE 1 HOURS)',
      'WHERE (A.V > 0)',
      'GROUP BY K',
      'HAVING (COUNT(*) > 1)',
      'EMIT CHANGES;',
    ].join('\n'),
  );
  assert.equal(fs("CREATE TOPIC 'my-topic' WITH (PARTITIONS=3, REPLICATION FACTOR=1)"), "CREATE TOPIC 'my-topic' WITH (PARTITIONS=3, REPLICATION_FACTOR=1);");
  assert.equal(fs('describe s extended'), 'DESCRIBE S EXTENDED;');
  assert.equal(fs("set 'a.b'='c'"), "SET 'a.b'='c';");
  assert.equal(fs('EXPLAIN SELECT * FROM s'), 'EXPLAIN SELECT *\nFROM S;');
});

test('every statement kind round-trips', () => {
  const statements = [
    "CREATE OR REPLACE SOURCE TABLE IF NOT EXISTS `t` (k INT PRIMARY KEY, h ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, h2 BYTES HEADER('x'), `lower` MAP<STRING, DECIMAL(4, 2)>) WITH (kafka_topic='t', 'odd.key'=-1.5, flag=true)",
    'CREATE STREAM s',
    "CREATE STREAM s WITH (kafka_topic='o') AS SELECT *, s.*, v->*, a AS `select` FROM s EMIT CHANGES",
    'INSERT INTO t SELECT * FROM s PARTITION BY a, b',
    "INSERT INTO t (a, `b`) VALUES (1, 'x', NULL, TRUE, X'00', -3.5)",
    'SELECT * FROM a JOIN b WITHIN (1 SECOND, 2 HOURS) GRACE PERIOD 5 MINUTES ON a.k = b.k FULL JOIN c ON a.k = c.k RIGHT JOIN d ON true',
    "SELECT * FROM ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(a, b), MAP['k', 'v']) AS p",
    'SELECT * FROM s WINDOW HOPPING (SIZE 1 HOUR, ADVANCE BY 5 MINUTES, RETENTION 7 DAYS, GRACE PERIOD 1 HOUR) GROUP BY k',
    'SELECT * FROM s WINDOW SESSION (5 SECONDS) GROUP BY k EMIT FINAL LIMIT 10',
    'SELECT * FROM s WINDOW SLIDING (SIZE 5 SECONDS, GRACE PERIOD 0 SECONDS)',
    'DROP TABLE IF EXISTS t DELETE TOPIC',
    "CREATE TOPIC IF NOT EXISTS t WITH (partitions=1)",
    "DROP TOPIC IF EXISTS 'x'",
    "PRINT 'topic' FROM BEGINNING INTERVAL 3 LIMIT 4",
    'PRINT T',
    'SHOW QUERIES EXTENDED',
    'DESCRIBE EXTENDED s',
    'DESCRIBE function',
    'DESCRIBE FUNCTION EXTENDED',
    'DESCRIBE `TABLES` EXTENDED',
    'DESCRIBE STREAMS',
    'DESCRIBE FUNCTION `extended`',
    'DESCRIBE MODEL m',
    'EXPLAIN CTAS_X_0',
    'EXPLAIN "transient_x"',
    "EXPLAIN INSERT INTO t VALUES (1)",
    'TERMINATE ALL',
    'TERMINATE `all`',
    "SET 'k'='it''s'",
    "UNSET 'k'",
    "DEFINE v = 'x'",
    'UNDEFINE v',
    "CREATE MODEL IF NOT EXISTS m INPUT (a DOUBLE) OUTPUT (b DOUBLE) WITH (provider='p')",
    "ALTER MODEL m SET (endpoint='e')",
    'ALTER STREAM s ADD COLUMN c INT',
    "ASSERT TOPIC orders WITH (PARTITIONS=3) TIMEOUT 2 SECONDS",
    "ASSERT NOT EXISTS TOPIC 'my.topic'",
    'ASSERT SCHEMA SUBJECT s ID 4 TIMEOUT 1 MINUTES',
    'ALTER TABLE `t` ADD c2 ARRAY<STRING>, ADD COLUMN `low` STRUCT<a INT>',
    'DROP MODEL m',
    'CREATE TYPE IF NOT EXISTS addr AS STRUCT<a INT>',
    'DROP TYPE IF EXISTS addr',
  ];
  for (const text of statements) {
    const s = parseStatement(text);
    const sql = formatStatement(s);
    assert.deepEqual(stripSpans(parseStatement(sql)), stripSpans(s), `${text}\n--->\n${sql}`);
  }
});
