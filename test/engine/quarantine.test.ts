/**
 * Poison statements: a statement enters the command log only once it was planned and built, and
 * a logged statement whose replay fails is quarantined (reported, kept droppable) instead of
 * keeping the data directory from opening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { appendCommand, readCommands, type Command } from '../../src/engine/command-log.ts';

const SETUP = `CREATE STREAM s (id STRING KEY, c STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`;

/** The command a CREATE STREAM ... AS SELECT writes, made on a scratch engine. */
async function commandOf(sql: string): Promise<Command> {
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    await t.engine.execute(sql);
    const commands = await readCommands(t.log);
    return commands[commands.length - 1];
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

test('a logged query that fails to build is quarantined: the engine opens, reports it, runs the rest, and DROP removes it', async () => {
  // A plan the current build cannot run (as after an upgrade that removed a function).
  const good = await commandOf(`CREATE STREAM bad AS SELECT id, UCASE(c) AS u FROM s;`);
  const poison: Command = JSON.parse(JSON.stringify(good).replaceAll('"UCASE"', '"NO_SUCH_FUNCTION"'));
  assert.notEqual(JSON.stringify(poison), JSON.stringify(good));

  const dir = mkdtempSync(join(tmpdir(), 'riffle-quarantine-'));
  try {
    let t = await testEngine({}, dir);
    await t.engine.execute(SETUP);
    await t.close();
    const log = await openEmbeddedLog(dir);
    const producer = log.producer();
    await readCommands(log);
    await appendCommand(producer, poison);
    await producer.close();
    await log.close();
    const warnings: string[] = [];
    t = await testEngine({ onWarning: (m) => warnings.push(m) }, dir);
    assert.equal(warnings.length, 1);
    await t.engine.execute(`CREATE STREAM good AS SELECT id, LCASE(c) AS l FROM s;`);
    await t.close();

    // Restart: the poison statement is reported, the statements after it replay.
    warnings.length = 0;
    t = await testEngine({ onWarning: (m) => warnings.push(m) }, dir);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /failed to replay and was quarantined: .*NO_SUCH_FUNCTION/);
    assert.match(warnings[0], /CSAS_BAD_0 is not running .*DROP STREAM BAD removes it/);
    const shown = await t.engine.execute('SHOW QUERIES;');
    const rows = shown[0].kind === 'table' ? shown[0].rows : [];
    assert.deepEqual(rows.map((r) => r[0]), ['CSAS_BAD_0', 'CSAS_GOOD_1']);
    assert.equal(rows[0][1], 'QUARANTINED');
    assert.notEqual(rows[1][1], 'QUARANTINED');
    await t.engine.execute(`INSERT INTO s (id, c) VALUES ('k', 'MiXed');`);
    await t.engine.runUntilIdle();
    assert.deepEqual((await readTopic(t.log, 'GOOD')).map((r) => JSON.parse(text(r.value)!)), [{ L: 'mixed' }]);

    // The user drops it; the next start has nothing to report.
    await t.engine.execute('DROP STREAM bad;');
    await t.close();
    warnings.length = 0;
    t = await testEngine({ onWarning: (m) => warnings.push(m) }, dir);
    assert.deepEqual(warnings, []);
    assert.equal(t.engine.catalog.getSource('BAD'), undefined);
    assert.ok(t.engine.catalog.getQuery('CSAS_GOOD_1'));
    assert.ok(t.engine.tasks.has('CSAS_GOOD_1'));
    // Query ids continue after the quarantined one's.
    const r = await t.engine.execute(`CREATE STREAM more AS SELECT * FROM s;`);
    assert.equal(r[0].kind === 'message' ? r[0].queryId : null, 'CSAS_MORE_2');
    await t.close();
  } finally {
    removeDir(dir);
  }
});

test('a logged statement that no longer parses is skipped and reported, the rest opens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-quarantine-'));
  try {
    let t = await testEngine({}, dir);
    await t.engine.execute(SETUP);
    await t.close();
    const log = await openEmbeddedLog(dir);
    const producer = log.producer();
    await readCommands(log);
    await appendCommand(producer, { version: 1, sql: 'CREATE STREAM broken (a INT) WITH (KAFKA_TOPIC=;', properties: {} });
    await producer.close();
    await log.close();
    const warnings: string[] = [];
    t = await testEngine({ onWarning: (m) => warnings.push(m) }, dir);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /quarantined: 1:\d+: Syntax error.*the statement was skipped/);
    assert.ok(t.engine.catalog.getSource('S'));
    await t.close();
  } finally {
    removeDir(dir);
  }
});

test('a CASE with thousands of branches runs and survives a restart', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(SETUP);
    const arms = Array.from({ length: 3000 }, (_, i) => `WHEN c = 'v${i}' THEN ${i}`).join(' ');
    await t.engine.execute(`CREATE STREAM cased AS SELECT id, CASE ${arms} ELSE -1 END AS n FROM s;`);
    await t.engine.execute(`INSERT INTO s (id, c) VALUES ('a', 'v2999'); INSERT INTO s (id, c) VALUES ('b', 'v7'); INSERT INTO s (id, c) VALUES ('c', 'none');`);
    await t.engine.runUntilIdle();
    assert.deepEqual((await readTopic(t.log, 'CASED')).map((r) => JSON.parse(text(r.value)!).N), [2999, 7, -1]);
    await t.close();
    const warnings: string[] = [];
    const again = await testEngine({ onWarning: (m) => warnings.push(m) }, t.dir);
    assert.deepEqual(warnings, []);
    assert.ok(again.engine.tasks.has('CSAS_CASED_0'));
    await again.close();
  } finally {
    removeDir(t.dir);
  }
});

test('a command-log record that is not a command is reported, not fatal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-quarantine-'));
  try {
    let t = await testEngine({}, dir);
    await t.engine.execute(SETUP);
    await t.close();
    const log = await openEmbeddedLog(dir);
    const producer = log.producer();
    await readCommands(log);
    await producer.send('_riffle_commands', [{ key: null, value: Buffer.from('{"version":1,"sql":"CREATE STR'), timestamp: 0, partition: 0 }]);
    await producer.close();
    await log.close();
    const warnings: string[] = [];
    t = await testEngine({ onWarning: (m) => warnings.push(m) }, dir);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /quarantined: Error: record at offset 1 of _riffle_commands is not valid JSON/);
    assert.ok(t.engine.catalog.getSource('S'));
    await t.close();
  } finally {
    removeDir(dir);
  }
});
