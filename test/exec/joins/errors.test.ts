/**
 * Joins the engine refuses, with a SqlError whose message starts with `line:column:` (1-based,
 * within the statement) and says what is wrong and what to do instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../../src/sql/errors.ts';
import { withHarness, type Harness } from './fixtures/harness.ts';

const DDL = `CREATE STREAM a (k STRING KEY, x INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, y INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE c (k STRING PRIMARY KEY, z INT) WITH (KAFKA_TOPIC='c', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE d (k STRING PRIMARY KEY, w INT) WITH (KAFKA_TOPIC='d', VALUE_FORMAT='JSON', PARTITIONS=1);`;

/** Executes `sql` expecting a SqlError; returns it. Nothing is created. */
async function refused(h: Harness, sql: string): Promise<SqlError> {
  const before = h.t.engine.tasks.size;
  const error = await h.t.engine.execute(sql).then(
    () => assert.fail(`accepted: ${sql}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SqlError, `a SqlError, not ${String(error)}`);
  assert.match(error.message, /^\d+:\d+: \S/, 'the message starts with line:column:');
  assert.equal(h.t.engine.tasks.size, before, 'no query started');
  return error;
}

const position = (e: SqlError): [number, number] => {
  const [, line, column] = /^(\d+):(\d+): /.exec(e.message)!;
  return [Number(line), Number(column)];
};

/** The error is about the join in lines `from`..`to` of the statement. */
function within(e: SqlError, from: number, to: number): void {
  const [line] = position(e);
  assert.ok(line >= from && line <= to, `${e.message}: points into the FROM clause (lines ${from}-${to})`);
}

const WITHOUT_WITHIN = `CREATE STREAM e1 AS
  SELECT a.k, a.x, b.y
  FROM a
  JOIN b ON a.k = b.k;`;
const NOT_EQUAL = `CREATE STREAM e2 AS
  SELECT a.k, a.x, b.y
  FROM a JOIN b WITHIN 1 MINUTE
    ON a.x < b.y;`;
const TABLE_STREAM = `CREATE STREAM e3 AS
  SELECT c.k, c.z, a.x
  FROM c
  JOIN a ON c.k = a.k;`;
const STREAM_RIGHT_TABLE = `CREATE STREAM e4 AS
  SELECT a.k, a.x, c.z
  FROM a
  RIGHT JOIN c ON a.k = c.k;`;

test('a stream-stream join without WITHIN', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    const e = await refused(h, WITHOUT_WITHIN);
    assert.equal(e.detail, 'Stream-stream joins must have a WITHIN clause specified. None was provided.');
    within(e, 3, 4);
    // Also as a push query, and as the second join of three.
    assert.match((await refused(h, `SELECT a.k, a.x, b.y FROM a JOIN b ON a.k = b.k EMIT CHANGES;`)).message, /^1:\d+: Stream-stream joins must have a WITHIN clause/);
    assert.match((await refused(h, `CREATE STREAM e5 AS SELECT a.k, c.z, b.y FROM a JOIN c ON a.k = c.k JOIN b ON a.k = b.k;`)).message, /^1:\d+: Stream-stream joins must have a WITHIN clause/);
  });
});

test('a join condition that is not an equality, or not one side against the other', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    const e = await refused(h, NOT_EQUAL);
    assert.deepEqual(position(e), [4, 8], 'points at the condition');
    assert.equal(e.detail, 'A join condition must be an equality between an expression of each side (a = b)');
    const and = await refused(h, `CREATE STREAM e6 AS SELECT a.k, a.x, b.y FROM a JOIN b WITHIN 1 MINUTE ON a.k = b.k AND a.x = b.y;`);
    assert.match(and.message, /^1:75: Invalid join condition: joins on multiple conditions are not yet supported\. Got \(\(A\.K = B\.K\) AND \(A\.X = B\.Y\)\)\./);
    const oneSide = await refused(h, `CREATE STREAM e7 AS SELECT a.k, a.x, b.y FROM a JOIN b WITHIN 1 MINUTE ON a.x = a.x;`);
    assert.match(oneSide.message, /^1:75: Each side of the join must reference exactly one source and not the same source\. Left side references `A` and right references `A`/);
    const notPk = await refused(h, `CREATE STREAM e8 AS SELECT a.k, a.x, c.z FROM a JOIN c ON a.x = c.z;`);
    assert.match(notPk.message, /^1:59: Invalid join condition: stream-table joins require to join on the table's primary key\. Got A\.X = C\.Z\./);
  });
});

test('a table-stream join (the table on the left)', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    const e = await refused(h, TABLE_STREAM);
    assert.equal(e.detail, 'Invalid join order: table-stream joins are not supported; only stream-table joins. Got C [INNER] JOIN A.');
    within(e, 3, 4);
  });
});

test('a RIGHT (or FULL) join between a stream and a table', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    const e = await refused(h, STREAM_RIGHT_TABLE);
    assert.equal(e.detail, 'Invalid join type: right-outer join not supported for stream-table join. Got A RIGHT [OUTER] JOIN C.');
    within(e, 3, 4);
    const full = await refused(h, `CREATE STREAM e9 AS SELECT a.k, a.x, c.z FROM a FULL OUTER JOIN c ON a.k = c.k;`);
    assert.match(full.message, /^1:\d+: Invalid join type: full-outer join not supported for stream-table join\. Got A \[FULL\] OUTER JOIN C\.$/);
  });
});

test('WITHIN on a stream-table join; a source joined to itself without aliases', async () => {
  await withHarness(async (h) => {
    await h.execute(DDL);
    assert.match((await refused(h, `CREATE STREAM e10 AS SELECT a.k, a.x, c.z FROM a JOIN c WITHIN 1 MINUTE ON a.k = c.k;`)).message, /^1:\d+: WITHIN is only allowed on stream-stream joins$/);
    assert.match((await refused(h, `CREATE STREAM e11 AS SELECT * FROM a JOIN a WITHIN 1 MINUTE ON a.k = a.k;`)).message, /^1:43: Can not join 'A' to 'A': self joins are not yet supported\.$/);
  });
});

test(
  'WITHIN on a table-table join',
  async () => {
    await withHarness(async (h) => {
      await h.execute(DDL);
      assert.match((await refused(h, `CREATE TABLE e12 AS SELECT c.k, c.z, d.w FROM c JOIN d WITHIN 1 MINUTE ON c.k = d.k;`)).message, /^1:\d+: WITHIN is only allowed on stream-stream joins$/);
    });
  },
);

test(
  'errors about a join point at that join (its line), not at the first source of the FROM clause',
  async () => {
    await withHarness(async (h) => {
      await h.execute(DDL);
      for (const [sql, right] of [
        [WITHOUT_WITHIN, 'b'],
        [TABLE_STREAM, 'a'],
        [STREAM_RIGHT_TABLE, 'c'],
      ] as const) {
        const [line, column] = position(await refused(h, sql));
        const joinLine = sql.split('\n')[3];
        assert.equal(line, 4, `${sql}: on the JOIN line`);
        // From the join keyword (after the indent) to the joined source, 1-based.
        assert.ok(column >= 3 && column <= joinLine.indexOf(` ${right} `) + 2, `${sql}: column ${column} is within '${joinLine.trim().split(' ON ')[0]}'`);
      }
      // The second of two joins.
      const e = await refused(h, `CREATE STREAM e5 AS SELECT a.k, c.z, b.y\n  FROM a JOIN c ON a.k = c.k\n  JOIN b ON a.k = b.k;`);
      assert.equal(position(e)[0], 3, e.message);
    });
  },
);
