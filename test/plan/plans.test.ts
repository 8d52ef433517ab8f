/**
 * Golden plans: the JSON plan and the EXPLAIN of representative persistent queries, compared with
 * the files in ./golden/ (<name>.json, <name>.txt). A plan is what a persistent query is stored and
 * restarted from, so a change here is a change to stored plans: review the diff, then regenerate
 * with
 *   UPDATE_GOLDEN=1 node --test test/plan/plans.test.ts
 * A missing golden file fails the test (it is never written unasked). Every stored JSON plan in
 * ./golden/ is also replayed as an engine restart would (command log: the sources' DDL, then the
 * statement with its saved plan), so plans saved by an older version must keep running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEngine, removeDir } from '../engine/helpers.ts';
import { appendCommand, readCommands, type Command } from '../../src/engine/command-log.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

const SOURCES = `
  CREATE STREAM clicks (user STRING KEY, page STRING, ms INT, site STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=2);
  CREATE STREAM views (vid STRING KEY, user STRING, page STRING) WITH (KAFKA_TOPIC='views', VALUE_FORMAT='JSON', PARTITIONS=2);
  CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=2);
  CREATE TABLE regions (name STRING PRIMARY KEY, country STRING) WITH (KAFKA_TOPIC='regions', VALUE_FORMAT='JSON', PARTITIONS=2);
  CREATE STREAM single (id STRING KEY, v INT, g STRING) WITH (KAFKA_TOPIC='single', VALUE_FORMAT='JSON', PARTITIONS=1);`;

const CASES: Record<string, string> = {
  'filter-project': `CREATE STREAM slow AS SELECT user, UCASE(page) AS page, ms * 2 AS double_ms FROM clicks WHERE ms > 100;`,
  'partition-by': `CREATE STREAM by_page AS SELECT * FROM clicks PARTITION BY page;`,
  'group-by-key': `CREATE TABLE per_user AS SELECT user, COUNT(*) AS n, SUM(ms) AS total FROM clicks GROUP BY user;`,
  'group-by-non-key': `CREATE TABLE per_page AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page HAVING COUNT(*) > 1;`,
  'group-by-single-partition': `CREATE TABLE per_g AS SELECT g, SUM(v) AS total FROM single GROUP BY g;`,
  'tumbling-emit-final': `CREATE TABLE per_minute AS SELECT site, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS) GROUP BY site EMIT FINAL;`,
  'session-window': `CREATE TABLE sessions AS SELECT user, COUNT(*) AS n FROM clicks WINDOW SESSION (5 MINUTES) GROUP BY user;`,
  'table-group-by': `CREATE TABLE per_region AS SELECT region, COUNT(*) AS n, SUM(score) AS total FROM users GROUP BY region;`,
  'over-partition-by': `CREATE STREAM running AS SELECT user, page, SUM(ms) OVER (PARTITION BY page) AS total FROM clicks;`,
  'stream-table-join': `CREATE STREAM enriched AS SELECT c.user AS user, c.page, u.region FROM clicks c LEFT JOIN users u ON c.user = u.id;`,
  'stream-table-join-non-key': `CREATE STREAM view_users AS SELECT v.user AS user, v.vid AS vid, u.region FROM views v JOIN users u ON v.user = u.id;`,
  'stream-stream-join': `CREATE STREAM paired AS SELECT ROWKEY AS page_key, c.user AS user, c.page, v.vid FROM clicks c FULL OUTER JOIN views v WITHIN (1 MINUTE, 2 MINUTES) GRACE PERIOD 30 SECONDS ON c.page = v.page;`,
  'table-table-join': `CREATE TABLE user_regions AS SELECT u.id AS id, u.score, r.country FROM users u LEFT JOIN regions r ON u.id = r.name;`,
  'foreign-key-join': `CREATE TABLE user_country AS SELECT u.id AS id, r.country FROM users u JOIN regions r ON u.region = r.name;`,
  'three-way-join': `CREATE STREAM three AS SELECT u.region AS region, c.user AS user, r.country FROM clicks c JOIN users u ON c.user = u.id JOIN regions r ON u.region = r.name;`,
  'flat-map': `CREATE STREAM letters AS SELECT user, EXPLODE(SPLIT(page, '/')) AS part FROM clicks;`,
};

const update = process.env.UPDATE_GOLDEN === '1';

function golden(file: string, actual: string, what: string): void {
  if (update) writeFileSync(file, actual);
  assert.ok(existsSync(file), `no golden ${what} at ${file}: review the plan, then UPDATE_GOLDEN=1 to write it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${what} differs from ${file} (UPDATE_GOLDEN=1 to accept)`);
}

for (const [name, sql] of Object.entries(CASES)) {
  test(`plan: ${name}`, async () => {
    const t = await testEngine();
    try {
      await t.engine.execute(SOURCES);
      const [created] = await t.engine.execute(sql);
      assert.equal(created.kind, 'message');
      const queryId = created.kind === 'message' ? created.queryId! : '';
      const [explained] = await t.engine.execute(`EXPLAIN ${queryId};`);
      const text = explained.kind === 'text' ? explained.text : JSON.stringify(explained, null, 2);
      golden(join(GOLDEN, `${name}.txt`), text + '\n', `EXPLAIN ${name}`);
      const stored = (await readCommands(t.log)).find((c) => c.plan?.queryId === queryId);
      assert.ok(stored?.plan, `no stored plan for ${queryId}`);
      golden(join(GOLDEN, `${name}.json`), JSON.stringify({ sql, plan: stored.plan }, null, 2) + '\n', `plan ${name}`);
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  });
}

// Replays every stored plan, including those of cases no longer in CASES.
for (const file of existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')) : []) {
  test(`stored plan replays: ${file}`, async () => {
    const { sql, plan } = JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as { sql: string; plan: NonNullable<Command['plan']> };
    const seed = await testEngine();
    try {
      // The sources (recorded as commands, their topics created), then the statement with its saved plan.
      await seed.engine.execute(SOURCES);
      // A restart finds the sink topic the query created when it first ran.
      await seed.log.ensureTopic(plan.sink.binding.topic, { partitions: 2 });
      await appendCommand(seed.engine.producer, { version: 1, sql, properties: { 'auto.offset.reset': 'earliest' }, plan });
    } finally {
      await seed.engine.close();
      await seed.log.close();
    }
    const t = await testEngine({}, seed.dir);
    try {
      const task = t.engine.tasks.get(plan.queryId);
      assert.ok(task, `the stored plan ${plan.queryId} did not start`);
      await t.engine.execute(`INSERT INTO clicks (user, page, ms, site) VALUES ('u1', 'p1', 5, 's');
        INSERT INTO views (vid, user, page) VALUES ('v1', 'u1', 'p1');
        INSERT INTO users (id, region, score) VALUES ('u1', 'r1', 3);
        INSERT INTO regions (name, country) VALUES ('r1', 'c1');
        INSERT INTO single (id, v, g) VALUES ('i', 1, 'g');`);
      await t.engine.runUntilIdle();
      assert.notEqual(task.state, 'ERROR', `${plan.queryId} failed: ${task.error?.message}`);
    } finally {
      await t.close();
      removeDir(t.dir);
    }
  });
}
