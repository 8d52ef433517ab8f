import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Query } from '../../src/sql/ast.ts';
import { parseStatement, parseStatements } from '../../src/sql/parser.ts';
import { call, cmp, col, int, lit, stmt, stripSpans } from './helpers.ts';

const str = (raw: string) => lit('STRING', raw);
const props = (o: Record<string, unknown>) => new Map(Object.entries(o));

/** The query of a SELECT / CREATE AS / INSERT INTO statement, spans stripped. */
function query(text: string): Query {
  const s = stmt(text);
  if (s.kind === 'QueryStatement' || s.kind === 'CreateAsSelect' || s.kind === 'InsertInto') return s.query;
  return assert.fail(`not a query: ${s.kind}`);
}

test('CREATE STREAM / TABLE with columns, constraints and properties', () => {
  assert.deepEqual(
    stmt(`CREATE OR REPLACE STREAM IF NOT EXISTS s (id STRING KEY, "v" INT, h ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, h2 BYTES HEADER('k'))
          WITH (kafka_topic='t', "Value_Format"='JSON', PARTITIONS=2, WRAP_SINGLE_VALUE=false)`),
    {
      kind: 'CreateSource',
      sourceType: 'STREAM',
      name: 'S',
      orReplace: true,
      ifNotExists: true,
      readOnly: false,
      columns: [
        { name: 'ID', type: { kind: 'STRING' }, key: true, primaryKey: false, headers: null },
        { name: 'v', type: { kind: 'INTEGER' }, key: false, primaryKey: false, headers: null },
        {
          name: 'H',
          type: {
            kind: 'ARRAY',
            element: {
              kind: 'STRUCT',
              fields: [
                { name: 'KEY', type: { kind: 'STRING' } },
                { name: 'VALUE', type: { kind: 'BYTES' } },
              ],
            },
          },
          key: false,
          primaryKey: false,
          headers: { key: null },
        },
        { name: 'H2', type: { kind: 'BYTES' }, key: false, primaryKey: false, headers: { key: 'k' } },
      ],
      properties: props({ KAFKA_TOPIC: str('t'), VALUE_FORMAT: str('JSON'), PARTITIONS: int('2'), WRAP_SINGLE_VALUE: lit('BOOLEAN', 'FALSE') }),
    },
  );
  const t = stmt("CREATE SOURCE TABLE t (k INT PRIMARY KEY, key INT, value STRING, timestamp BIGINT) WITH (kafka_topic='t')");
  assert.equal(t.kind, 'CreateSource');
  if (t.kind !== 'CreateSource') return;
  assert.equal(t.sourceType, 'TABLE');
  assert.equal(t.readOnly, true);
  assert.deepEqual(t.columns?.map((c) => [c.name, c.key, c.primaryKey]), [
    ['K', true, true],
    ['KEY', false, false],
    ['VALUE', false, false],
    ['TIMESTAMP', false, false],
  ]);
  const bare = stmt("CREATE STREAM s WITH (kafka_topic='t')");
  assert.equal(bare.kind === 'CreateSource' && bare.columns, null);
});

test('CREATE ... AS SELECT, INSERT INTO ... SELECT, INSERT VALUES', () => {
  const c = stmt("CREATE TABLE t WITH (KAFKA_TOPIC='o') AS SELECT k, COUNT(*) AS n FROM s GROUP BY k EMIT CHANGES");
  assert.equal(c.kind, 'CreateAsSelect');
  if (c.kind !== 'CreateAsSelect') return;
  assert.deepEqual([c.sourceType, c.name, c.properties], ['TABLE', 'T', props({ KAFKA_TOPIC: str('o') })]);
  assert.deepEqual(c.query.groupBy, [col('K')]);
  assert.equal(c.query.emit, 'CHANGES');
  const i = stmt("INSERT INTO t WITH (QUERY_ID='q') SELECT * FROM s");
  assert.deepEqual(i.kind === 'InsertInto' && [i.target, i.properties], ['T', props({ QUERY_ID: str('q') })]);
  assert.deepEqual(stmt("INSERT INTO t (a, `b`) VALUES (1, 'x')"), {
    kind: 'InsertValues',
    target: 'T',
    columns: ['A', 'b'],
    values: [int('1'), str('x')],
  });
  assert.deepEqual(stmt('insert into t values (-1.5, null)'), {
    kind: 'InsertValues',
    target: 'T',
    columns: null,
    values: [lit('DECIMAL', '-1.5'), lit('NULL', 'NULL')],
  });
});

test('SELECT items: *, s.*, struct->*, aliases with and without AS', () => {
  const q = query('SELECT *, s.*, v1->a->*, a AS x, b y, c AS key, d value FROM s');
  assert.deepEqual(q.select, [
    { kind: 'AllColumns', source: null },
    { kind: 'AllColumns', source: 'S' },
    { kind: 'StructAll', base: { kind: 'Dereference', base: col('V1'), field: 'A' } },
    { kind: 'SelectExpr', expr: col('A'), alias: 'X' },
    { kind: 'SelectExpr', expr: col('B'), alias: 'Y' },
    { kind: 'SelectExpr', expr: col('C'), alias: 'KEY' },
    { kind: 'SelectExpr', expr: col('D'), alias: 'VALUE' },
  ]);
});

test('pull and push queries: EMIT CHANGES / FINAL, LIMIT', () => {
  const pull = query("SELECT * FROM t WHERE k = 'a'");
  assert.equal(pull.emit, null);
  assert.deepEqual(pull.where, cmp('=', col('K'), str('a')));
  const push = query('SELECT * FROM s EMIT CHANGES LIMIT 10');
  assert.deepEqual([push.emit, push.limit], ['CHANGES', 10]);
  assert.equal(query('SELECT * FROM s WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY k EMIT FINAL').emit, 'FINAL');
  assert.equal(query('SELECT * FROM s LIMIT 3').limit, 3);
});

test('FROM with aliases and multi-way joins', () => {
  const q = query(
    'SELECT * FROM s1 AS a JOIN t2 b ON a.id = b.id LEFT OUTER JOIN s3 WITHIN 10 SECONDS ON a.k = s3.k ' +
      'FULL JOIN s4 WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 30 SECONDS ON s4.k = a.k RIGHT JOIN t5 ON 1 = 1 INNER JOIN t6 ON true',
  );
  // Left-deep: the outermost join is the last one.
  const joins: Extract<Query['from'], { kind: 'Join' }>[] = [];
  let r = q.from;
  while (r.kind === 'Join') {
    joins.unshift(r);
    r = r.left;
  }
  assert.deepEqual(r, { kind: 'SourceRef', name: 'S1', alias: 'A' });
  assert.deepEqual(joins.map((j) => j.type), ['INNER', 'LEFT', 'FULL', 'RIGHT', 'INNER']);
  assert.deepEqual(joins.map((j) => j.right.kind === 'SourceRef' && [j.right.name, j.right.alias]), [
    ['T2', 'B'],
    ['S3', null],
    ['S4', null],
    ['T5', null],
    ['T6', null],
  ]);
  assert.deepEqual(joins[0].on, cmp('=', col('ID', 'A'), col('ID', 'B')));
  assert.deepEqual(joins[1].within, { before: { value: 10, unit: 'SECONDS' }, after: { value: 10, unit: 'SECONDS' }, grace: null });
  assert.deepEqual(joins[2].within, {
    before: { value: 1, unit: 'SECONDS' },
    after: { value: 2, unit: 'MINUTES' },
    grace: { value: 30, unit: 'SECONDS' },
  });
  // Non-reserved clause keywords are not taken as an implicit alias.
  assert.deepEqual(query('SELECT * FROM s EMIT CHANGES').from, { kind: 'SourceRef', name: 'S', alias: null });
  assert.deepEqual(query('SELECT * FROM s WINDOW TUMBLING (SIZE 1 SECOND)').from, { kind: 'SourceRef', name: 'S', alias: null });
  assert.deepEqual(query('SELECT * FROM s PARTITION BY a').from, { kind: 'SourceRef', name: 'S', alias: null });
});

test('table functions in FROM (ML_PREDICT)', () => {
  const q = query("SELECT * FROM ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(a, `b`), MAP['timeout', '5s'], 42) AS p");
  assert.deepEqual(q.from, {
    kind: 'TableFunction',
    name: 'ML_PREDICT',
    args: [
      { kind: 'TableArg', name: 'S' },
      { kind: 'ModelArg', name: 'M' },
      { kind: 'DescriptorArg', columns: ['A', 'b'] },
      { kind: 'ExprArg', expr: { kind: 'CreateMap', entries: [{ key: str('timeout'), value: str('5s') }] } },
      { kind: 'ExprArg', expr: int('42') },
    ],
    alias: 'P',
  });
});

test('windows: TUMBLING, HOPPING, SESSION, SLIDING with RETENTION and GRACE PERIOD', () => {
  assert.deepEqual(query('SELECT * FROM s WINDOW TUMBLING (SIZE 5 MINUTES, RETENTION 2 DAYS, GRACE PERIOD 10 SECONDS)').window, {
    kind: 'TUMBLING',
    size: { value: 5, unit: 'MINUTES' },
    retention: { value: 2, unit: 'DAYS' },
    grace: { value: 10, unit: 'SECONDS' },
  });
  assert.deepEqual(query('SELECT * FROM s WINDOW HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MILLISECONDS)').window, {
    kind: 'HOPPING',
    size: { value: 1, unit: 'HOURS' },
    advance: { value: 10, unit: 'MILLISECONDS' },
    retention: null,
    grace: null,
  });
  assert.deepEqual(query('SELECT * FROM s WINDOW SESSION (30 SECONDS, GRACE PERIOD 0 SECOND)').window, {
    kind: 'SESSION',
    gap: { value: 30, unit: 'SECONDS' },
    retention: null,
    grace: { value: 0, unit: 'SECONDS' },
  });
  assert.deepEqual(query('SELECT * FROM s WINDOW SLIDING (SIZE 5 MINUTES, GRACE PERIOD 1 MINUTE)').window, {
    kind: 'SLIDING',
    size: { value: 5, unit: 'MINUTES' },
    retention: null,
    grace: { value: 1, unit: 'MINUTES' },
  });
  // ksqlDB accepts a window name before the kind.
  assert.equal(query('SELECT * FROM s WINDOW w SESSION (1 SECOND)').window?.kind, 'SESSION');
});

test('GROUP BY / PARTITION BY / HAVING', () => {
  const q = query('SELECT k, COUNT(*) FROM s WHERE x > 0 GROUP BY k, j HAVING COUNT(*) > 1');
  assert.deepEqual(q.groupBy, [col('K'), col('J')]);
  assert.deepEqual(q.having, cmp('>', call('COUNT', { kind: 'Star' }), int('1')));
  assert.deepEqual(query('SELECT * FROM s GROUP BY (a, b)').groupBy, [col('A'), col('B')]);
  assert.equal(query('SELECT * FROM s GROUP BY (a + 1) * 2').groupBy?.[0].kind, 'ArithmeticBinary');
  assert.deepEqual(query('SELECT * FROM s PARTITION BY a->b').partitionBy, [{ kind: 'Dereference', base: col('A'), field: 'B' }]);
});

test('DROP, topics, PRINT', () => {
  assert.deepEqual(stmt('DROP STREAM IF EXISTS s DELETE TOPIC'), { kind: 'DropSource', sourceType: 'STREAM', name: 'S', ifExists: true, deleteTopic: true });
  assert.deepEqual(stmt('drop table t'), { kind: 'DropSource', sourceType: 'TABLE', name: 'T', ifExists: false, deleteTopic: false });
  assert.deepEqual(stmt("CREATE TOPIC IF NOT EXISTS 'my-topic' WITH (PARTITIONS=3, REPLICATION FACTOR=1)"), {
    kind: 'CreateTopic',
    name: 'my-topic',
    ifNotExists: true,
    properties: props({ PARTITIONS: int('3'), REPLICATION_FACTOR: int('1') }),
  });
  assert.deepEqual(
    stmt('CREATE TOPIC t WITH (replication_factor=1)'),
    { kind: 'CreateTopic', name: 't', ifNotExists: false, properties: props({ REPLICATION_FACTOR: int('1') }) },
  );
  assert.deepEqual(stmt("DROP TOPIC IF EXISTS 'x'"), { kind: 'DropTopic', name: 'x', ifExists: true });
  assert.deepEqual(stmt("PRINT 'orders' FROM BEGINNING INTERVAL 2 LIMIT 5"), {
    kind: 'Print',
    topic: 'orders',
    fromBeginning: true,
    interval: 2,
    limit: 5,
  });
  assert.deepEqual(stmt('PRINT orders'), { kind: 'Print', topic: 'orders', fromBeginning: false, interval: null, limit: null });
});

test('SHOW / LIST / DESCRIBE / EXPLAIN / TERMINATE', () => {
  for (const what of ['STREAMS', 'TABLES', 'QUERIES', 'FUNCTIONS', 'TOPICS', 'PROPERTIES', 'VARIABLES', 'MODELS', 'TYPES']) {
    assert.deepEqual(stmt(`show ${what.toLowerCase()}`), { kind: 'Show', what, extended: false });
    assert.deepEqual(stmt(`LIST ${what} EXTENDED`), { kind: 'Show', what, extended: true });
  }
  assert.deepEqual(stmt('DESCRIBE s'), { kind: 'Describe', name: 'S', extended: false });
  assert.deepEqual(stmt('DESCRIBE EXTENDED s'), { kind: 'Describe', name: 'S', extended: true });
  assert.deepEqual(stmt('DESCRIBE s EXTENDED'), { kind: 'Describe', name: 'S', extended: true });
  assert.deepEqual(stmt('DESCRIBE FUNCTION substring'), { kind: 'DescribeFunction', name: 'SUBSTRING' });
  assert.deepEqual(stmt('DESCRIBE MODEL m'), { kind: 'DescribeModel', name: 'M' });
  assert.deepEqual(stmt('DESCRIBE function'), { kind: 'Describe', name: 'FUNCTION', extended: false });
  assert.deepEqual(stmt('DESCRIBE STREAMS'), { kind: 'Show', what: 'STREAMS', extended: true });
  assert.deepEqual(stmt('DESCRIBE `STREAMS`'), { kind: 'Describe', name: 'STREAMS', extended: false });
  assert.deepEqual(stmt('EXPLAIN CSAS_OUT_1'), { kind: 'Explain', target: { kind: 'QueryId', id: 'CSAS_OUT_1' } });
  const e = stmt('EXPLAIN SELECT * FROM s EMIT CHANGES');
  assert.equal(e.kind === 'Explain' && e.target.kind === 'Statement' && e.target.statement.kind, 'QueryStatement');
  assert.deepEqual(stmt('TERMINATE q1'), { kind: 'Terminate', queryId: 'q1' });
  assert.deepEqual(stmt('TERMINATE ALL'), { kind: 'Terminate', queryId: null });
});

test('SET / UNSET / DEFINE / UNDEFINE', () => {
  assert.deepEqual(stmt("SET 'auto.offset.reset'='earliest'"), { kind: 'SetProperty', name: 'auto.offset.reset', value: 'earliest' });
  assert.deepEqual(stmt("UNSET 'auto.offset.reset'"), { kind: 'UnsetProperty', name: 'auto.offset.reset' });
  assert.deepEqual(stmt("DEFINE topic = 'orders'"), { kind: 'DefineVariable', name: 'TOPIC', value: 'orders' });
  assert.deepEqual(stmt('UNDEFINE topic'), { kind: 'UndefineVariable', name: 'TOPIC' });
});

test('models', () => {
  assert.deepEqual(
    stmt("CREATE OR REPLACE MODEL m INPUT (a DOUBLE, b ARRAY<DOUBLE>) OUTPUT (score DOUBLE) WITH (provider='kserve-v2', timeout_ms=500)"),
    {
      kind: 'CreateModel',
      name: 'M',
      orReplace: true,
      ifNotExists: false,
      inputs: [
        { name: 'A', type: { kind: 'DOUBLE' }, key: false, primaryKey: false, headers: null },
        { name: 'B', type: { kind: 'ARRAY', element: { kind: 'DOUBLE' } }, key: false, primaryKey: false, headers: null },
      ],
      outputs: [{ name: 'SCORE', type: { kind: 'DOUBLE' }, key: false, primaryKey: false, headers: null }],
      properties: props({ PROVIDER: str('kserve-v2'), TIMEOUT_MS: int('500') }),
    },
  );
  assert.deepEqual(stmt("ALTER MODEL m SET (endpoint='x')"), { kind: 'AlterModel', name: 'M', properties: props({ ENDPOINT: str('x') }) });
  assert.deepEqual(stmt("ALTER MODEL m WITH (endpoint='x')"), { kind: 'AlterModel', name: 'M', properties: props({ ENDPOINT: str('x') }) });
  assert.deepEqual(stmt('DROP MODEL IF EXISTS m'), { kind: 'DropModel', name: 'M', ifExists: true });
});

test('CREATE TYPE defines a name later statements can use; DROP TYPE removes it', () => {
  const parsed = parseStatements(`
    CREATE TYPE ADDRESS AS STRUCT<number INTEGER, street VARCHAR>;
    CREATE TABLE a (K STRING PRIMARY KEY, address ADDRESS, list ARRAY<address>) WITH (kafka_topic='t');
    SELECT CAST(x AS ADDRESS) FROM a;
    DROP TYPE ADDRESS;`);
  const addr = { kind: 'STRUCT', fields: [{ name: 'NUMBER', type: { kind: 'INTEGER' } }, { name: 'STREET', type: { kind: 'STRING' } }] };
  assert.deepEqual(stripSpans(parsed[0].statement), { kind: 'CreateType', name: 'ADDRESS', ifNotExists: false, type: addr });
  const t = parsed[1].statement;
  assert.deepEqual(t.kind === 'CreateSource' && t.columns?.map((c) => c.type), [{ kind: 'STRING' }, addr, { kind: 'ARRAY', element: addr }]);
  assert.deepEqual(stripSpans(parsed[3].statement), { kind: 'DropType', name: 'ADDRESS', ifExists: false });
  assert.throws(() => parseStatements('CREATE TYPE A AS INT; DROP TYPE A; CREATE STREAM s (x A);'), /Unknown type 'A'/);
  // Types known to the caller (the engine's registry).
  const s = parseStatement('CREATE STREAM s (x A)', undefined, { types: new Map([['A', { kind: 'BIGINT' }]]) });
  assert.deepEqual(s.kind === 'CreateSource' && s.columns?.[0].type, { kind: 'BIGINT' });
});

test('scripts: statements split at top-level semicolons, comments, last ; optional', () => {
  const parsed = parseStatements(`-- a comment; not a separator
    SELECT 'a;b' AS "x;y" FROM s; /* ; */
    ;;
    SHOW STREAMS -- trailing comment
  `);
  assert.equal(parsed.length, 2);
  assert.equal(parsed[0].text, `SELECT 'a;b' AS "x;y" FROM s`);
  assert.equal(parsed[1].text, 'SHOW STREAMS');
  assert.deepEqual(parseStatements(''), []);
  assert.deepEqual(parseStatements(' -- only a comment\n;'), []);
});
