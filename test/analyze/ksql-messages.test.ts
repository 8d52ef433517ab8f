/**
 * Statements ksqlDB rejects, rejected with ksqlDB's words (its exception texts) and Riffle's
 * `line:column` in front. Each rule is exercised with statements of its own (other types, other
 * clauses, other formats than the conformance samples): the rule is what is tested, not a case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from '../engine/helpers.ts';

const SETUP = `
  CREATE STREAM orders (id BIGINT KEY, item STRING, qty INT, price DOUBLE, tags ARRAY<STRING>, attrs MAP<STRING, INT>, at BIGINT, note STRING)
    WITH (kafka_topic='orders', value_format='JSON', partitions=1);
  CREATE STREAM shipments (id BIGINT KEY, item STRING, qty BIGINT, carrier STRING)
    WITH (kafka_topic='shipments', value_format='JSON', partitions=1);
  CREATE TABLE items (item STRING PRIMARY KEY, label STRING, stock INT)
    WITH (kafka_topic='items', value_format='JSON', partitions=1);
  CREATE TABLE suppliers (sid INT PRIMARY KEY, name STRING, item STRING)
    WITH (kafka_topic='suppliers', value_format='JSON', partitions=1);
  CREATE STREAM tagged (k STRING KEY, src BYTES HEADER('src'), v INT)
    WITH (kafka_topic='tagged', value_format='JSON', partitions=1);
`;

/** Runs SETUP, then `statement`; returns the rejection's message (fails if it is accepted). */
async function rejection(statement: string, setup = SETUP): Promise<string> {
  const t = await testEngine();
  try {
    await t.engine.execute(setup);
    try {
      await t.engine.execute(statement);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail(`accepted: ${statement}`);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

async function accepted(statement: string, setup = SETUP): Promise<void> {
  const t = await testEngine();
  try {
    await t.engine.execute(setup);
    await t.engine.execute(statement);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

test('column errors carry ksqlDB\'s "Line: n, Col: m:" prefix at the reference, with the clause', async () => {
  assert.equal(
    await rejection('CREATE STREAM j AS SELECT o.id, o.nope FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id;'),
    "1:33: Line: 1, Col: 33: SELECT column 'O.NOPE' cannot be resolved.",
  );
  assert.equal(
    await rejection('CREATE STREAM j AS SELECT o.id, carrier\n  FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.missing;'),
    "2:58: Line: 2, Col: 58: JOIN ON column 'S.MISSING' cannot be resolved.",
  );
  // Unqualified and in both sources: ambiguous, found while ksqlDB resolves names (prepare).
  assert.equal(
    await rejection('CREATE STREAM j AS SELECT o.id, carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id WHERE qty > 1;'),
    "1:107: Exception while preparing statement: Line: 1, Col: 107: Column 'QTY' is ambiguous. Could be O.QTY or S.QTY.",
  );
  assert.match(await rejection('CREATE STREAM f AS SELECT id, nope FROM orders WHERE qty > 1;'), /^1:31: Line: 1, Col: 31: SELECT column 'NOPE' cannot be resolved\./);
  assert.equal(
    await rejection('CREATE STREAM j AS SELECT x.item FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id;'),
    "1:27: Failed to prepare statement: 'X' is not a valid stream/table name or alias.",
  );
});

test('a format that cannot hold the schema: which side, the format, the persistence schema and why', async () => {
  assert.equal(
    await rejection("CREATE TABLE t (k STRUCT<a INT> PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON', partitions=1);"),
    "1:1: Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` STRUCT<`A` INTEGER> KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'STRUCT'",
  );
  assert.equal(
    await rejection("CREATE STREAM d (k STRING KEY, m MAP<STRING, INT>, n INT) WITH (kafka_topic='d', value_format='DELIMITED', partitions=1);"),
    "1:1: Value format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`M` MAP<STRING, INTEGER>, `N` INTEGER], features=[]}\nreason: The 'DELIMITED' format does not support type 'MAP', column: `M`",
  );
  // GROUP BY two expressions into the default KAFKA key format.
  assert.match(
    await rejection('CREATE TABLE c AS SELECT item, note, COUNT(*) FROM orders GROUP BY item, note;'),
    /Key format does not support schema\.\nformat: KAFKA\nschema: Persistence\{columns=\[`ITEM` STRING KEY, `NOTE` STRING KEY\], features=\[\]\}\nreason: The 'KAFKA' format only supports a single field\. Got: \[`ITEM` STRING KEY, `NOTE` STRING KEY\]/,
  );
});

test('ksqlDB checks the projection before the formats', async () => {
  // Two grouping expressions in a KAFKA key, one missing from the projection: the projection wins.
  assert.match(
    await rejection('CREATE TABLE c AS SELECT note, COUNT(*) FROM orders GROUP BY item, note;'),
    /must include the grouping expression ITEM in its projection \(eg, SELECT ITEM\.\.\.\)/,
  );
  assert.match(await rejection('CREATE STREAM p AS SELECT item, item AS i2, qty FROM orders PARTITION BY item;'), /The projection contains a key column \(`ITEM`\) more than once, aliased as: I2 and ITEM\./);
});

test('WITH values are checked as ksqlDB builds the statement ("Failed to prepare statement")', async () => {
  assert.match(
    await rejection("CREATE STREAM d (k STRING KEY, v INT) WITH (kafka_topic='d', key_format='DELIMITED', value_format='DELIMITED', key_delimiter='ab', partitions=1);"),
    /Failed to prepare statement: Configuration KEY_DELIMITER is invalid: Invalid delimiter value: 'ab'\. Delimiter must be a single character or TAB,SPACE\nExample valid value: ';'/,
  );
  const windowed = (size: string) => `CREATE TABLE w (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='w', value_format='JSON', partitions=1, window_type='HOPPING', window_size='${size}');`;
  assert.match(await rejection(windowed('2 fortnights')), /Configuration WINDOW_SIZE is invalid: Invalid duration: '2 fortnights'\. Unknown time unit: 'FORTNIGHTS'\nSupported time units are: NANOSECONDS, MICROSECONDS, MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS/);
  assert.match(await rejection(windowed('90')), /Invalid duration: '90'\. Expected 2 tokens, got: 1/);
  assert.match(await rejection(windowed('ten MINUTES')), /Invalid duration: 'ten MINUTES'\. Not numeric: 'ten'/);
  await accepted(windowed('90 minute'));
});

test('numeric literals out of range: ksqlDB\'s parse-time message (its column is one more)', async () => {
  assert.equal(
    await rejection('CREATE STREAM f AS SELECT id FROM orders WHERE at > 99999999999999999999;'),
    '1:53: Failed to prepare statement: line 1:54: Invalid numeric literal: 99999999999999999999 (out of range for BIGINT: use a DECIMAL, e.g. 99999999999999999999.0)',
  );
  assert.match(await rejection('CREATE STREAM f AS SELECT id, price * 2E400 AS p FROM orders;'), /^1:39: Failed to prepare statement: line 1:40: Number overflows DOUBLE: 2E400/);
});

test('HAVING and join WHERE errors name expressions as ksqlDB: the aggregate call, ALIAS_COLUMN in joins', async () => {
  assert.match(
    await rejection("CREATE TABLE c AS SELECT item, MAX(price) AS top FROM orders GROUP BY item HAVING MAX(price) = 'high';"),
    /Error in HAVING expression: Cannot compare MAX\(PRICE\) \(DOUBLE\) to 'high' \(STRING\) with EQUAL\./,
  );
  assert.match(
    await rejection('CREATE STREAM j AS SELECT o.id, s.carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id WHERE o.note < s.qty;'),
    /Error in WHERE expression: Cannot compare O_NOTE \(STRING\) to S_QTY \(BIGINT\) with LESS_THAN\./,
  );
});

test('join criteria are all checked before join keys; join errors name sources and types as ksqlDB', async () => {
  // The first join is not on the table's key, but the second join's criteria reference one source.
  assert.match(
    await rejection('CREATE STREAM j AS SELECT * FROM orders o JOIN items i ON o.note = i.label JOIN suppliers p ON o.qty = o.qty;'),
    /Each side of the join must reference exactly one source and not the same source\. Left side references `O` and right references `O`/,
  );
  assert.match(await rejection('CREATE TABLE j AS SELECT * FROM items i LEFT JOIN orders o ON i.item = o.item;'), /Invalid join order: table-stream joins are not supported; only stream-table joins\. Got ITEMS LEFT \[OUTER\] JOIN ORDERS\./);
  assert.match(
    await rejection('CREATE STREAM j AS SELECT o.id, s.carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON CAST(o.qty AS STRING) = s.qty;'),
    /Invalid join condition: types don't match\. Got CAST\(O\.QTY AS STRING\)\{STRING\} = S\.QTY\{BIGINT\}\./,
  );
});

test('a constructor in a user list that does not fit is reported whole', async () => {
  assert.match(
    await rejection("CREATE STREAM f AS SELECT * FROM orders WHERE attrs IN (MAP('a' := qty), MAP('b' := note));"),
    /Invalid Predicate: operator does not exist: MAP<STRING, INTEGER> = MAP<STRING, STRING> \(MAP\('b':=NOTE\)\)/,
  );
  assert.match(await rejection("CREATE STREAM f AS SELECT * FROM orders WHERE price IN (1.5, 'cheap');"), /Invalid Predicate: invalid input syntax for type DOUBLE: "cheap"\./);
});

test('syntax: GROUP BY, PARTITION BY and VALUES take value expressions; type parameters; a missing bracket', async () => {
  assert.match(await rejection('CREATE TABLE c AS SELECT item, COUNT(*) FROM orders GROUP BY item = note;'), /^1:67: Syntax error at '='/);
  assert.match(await rejection('CREATE STREAM p AS SELECT * FROM orders PARTITION BY qty > 1;'), /^1:58: Syntax error at '>'/);
  assert.match(await rejection("INSERT INTO orders (id, item) VALUES (1, 'a' = 'b');"), /^1:46: Syntax error at '='/);
  // Parenthesised, any expression is a value expression.
  await accepted("CREATE STREAM p WITH (key_format='JSON') AS SELECT * FROM orders PARTITION BY (qty > 1);");
  // ksqlDB ignores type parameters of integers or STRING; anything else there is its syntax error.
  await accepted("CREATE STREAM q (k VARCHAR(64) KEY, n BIGINT(20), s STRING(STRING)) WITH (kafka_topic='q', value_format='JSON', partitions=1);");
  assert.equal(
    await rejection("CREATE STREAM q (k STRING KEY, d DOUBLE (KEY)) WITH (kafka_topic='q', value_format='JSON');"),
    "1:42: line 1:42: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}\nStatement: CREATE STREAM q (k STRING KEY, d DOUBLE (KEY)) WITH (kafka_topic='q', value_format='JSON');",
  );
  assert.equal(
    await rejection('CREATE STREAM a AS SELECT (qty + 2 AS x FROM orders;'),
    "1:36: line 1:36: Syntax Error\nmissing ')' at 'AS'\nStatement: CREATE STREAM a AS SELECT (qty + 2 AS x FROM orders;",
  );
  assert.match(await rejection('CREATE STREAM p AS SELECT * FROM orders PARTITION BY ();'), /^1:41: Failed to prepare statement: PARTITION BY requires at least one expression$/);
  assert.match(await rejection('CREATE TABLE c AS SELECT COUNT(*) FROM orders GROUP BY ();'), /Failed to prepare statement: GROUP BY requires at least one expression/);
});

test('INSERT INTO: an unknown target at ksqlDB\'s position, a table, header columns', async () => {
  assert.equal(
    await rejection('INSERT INTO nowhere SELECT * FROM orders;'),
    '1:1: Exception while preparing statement: Line: 1, Col: 13: Source `NOWHERE` does not exist.',
  );
  assert.match(await rejection('INSERT INTO items SELECT * FROM orders;'), /INSERT INTO can only be used to insert into a stream\. ITEMS is a table\./);
  assert.match(await rejection("INSERT INTO tagged VALUES ('k', 1);"), /Cannot insert into HEADER columns: SRC/);
  await accepted("INSERT INTO tagged (k, v) VALUES ('k', 1);");
});

test('KEY and PRIMARY KEY on the wrong kind of source; NULL without a type', async () => {
  assert.match(
    await rejection("CREATE TABLE t (a INT,\n  b STRING KEY) WITH (kafka_topic='t', value_format='JSON', partitions=1);"),
    /^2:3: Line: 2, Col: 3: Column `B` is a 'KEY' column: please use 'PRIMARY KEY' for tables\.\nTables have PRIMARY KEYs/,
  );
  assert.match(await rejection('CREATE STREAM n AS SELECT id, NULL AS nothing FROM orders;'), /Can't infer a type of null\. Please explicitly cast it to a required type, e.g\. CAST\(null AS VARCHAR\)\./);
  assert.match(await rejection("CREATE STREAM n AS SELECT id, MAP('k' := NULL) AS m FROM orders;"), /Cannot construct a map with all NULL values \(see https:\/\/github\.com\/confluentinc\/ksql\/issues\/4239\)/);
});

test('WRAP_SINGLE_VALUE the value format cannot honour, before the single-field rule', async () => {
  assert.match(
    await rejection("CREATE STREAM w (k STRING KEY, a INT, b INT) WITH (kafka_topic='w', value_format='KAFKA', wrap_single_value=true);"),
    /Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'\./,
  );
  assert.match(
    await rejection("CREATE STREAM w (k STRING KEY, a INT, b INT) WITH (kafka_topic='w', value_format='JSON', wrap_single_value=false);"),
    /'WRAP_SINGLE_VALUE' is only valid for single-field value schemas/,
  );
});

test('aggregations: table functions, unknown functions, window bounds in aggregate arguments or HAVING', async () => {
  assert.match(await rejection('CREATE TABLE c AS SELECT item, EXPLODE(tags) AS tag, COUNT(*) FROM orders GROUP BY item;'), /Table functions cannot be used with aggregations\./);
  assert.match(await rejection('CREATE TABLE c AS SELECT item, NO_SUCH_FN(qty) FROM orders GROUP BY item;'), /Can't find any functions with the name 'NO_SUCH_FN'/);
  assert.match(
    await rejection('CREATE TABLE c AS SELECT item, MAX(WINDOWEND) AS e FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY item;'),
    /Window bounds column WINDOWEND can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions\./,
  );
});

test('a join key selected twice; the TIMESTAMP column; windows that differ', async () => {
  assert.match(
    await rejection('CREATE TABLE j AS SELECT i.item, i.item AS again, label, name FROM items i JOIN suppliers s ON i.item = s.item;'),
    /The projection contains a key column|Invalid join condition/,
  );
  assert.match(
    await rejection('CREATE STREAM j AS SELECT o.id AS a, o.id AS b, s.carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.id = s.id;'),
    /The projection contains a key column \(`O_ID`\) more than once, aliased as: A and B\./,
  );
  assert.match(await rejection("CREATE STREAM t WITH (timestamp='price') AS SELECT * FROM orders;"), /Timestamp column, `PRICE`, should be LONG\(INT64\), TIMESTAMP, or a String with a timestamp_format specified\./);
  assert.match(await rejection("CREATE STREAM t WITH (timestamp='note') AS SELECT * FROM orders;"), /A String timestamp field has been specified without also specifying the timestamp_format/);
  assert.match(await rejection("CREATE STREAM t WITH (timestamp='at', timestamp_format='yyyy') AS SELECT * FROM orders;"), /'TIMESTAMP_FORMAT' set in the WITH clause can only be used when the timestamp column is of type STRING\./);
  const windowed = `${SETUP}
    CREATE TABLE per_min AS SELECT item, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY item;
    CREATE STREAM w1 (k STRING KEY, v INT) WITH (kafka_topic='w1', value_format='JSON', partitions=1, window_type='TUMBLING', window_size='1 MINUTE');
    CREATE STREAM w2 (k STRING KEY, v INT) WITH (kafka_topic='w2', value_format='JSON', partitions=1, window_type='TUMBLING', window_size='2 MINUTES');`;
  assert.match(await rejection('CREATE STREAM j AS SELECT * FROM w1 JOIN w2 WITHIN 1 HOUR ON w1.k = w2.k;', windowed), /Implicit repartitioning of windowed sources is not supported/);
});

test('names that differ only in case get ksqlDB\'s hint; f(*) is f(); filter type errors name their clause', async () => {
  const quoted = `${SETUP}\n CREATE STREAM "Returns" (id BIGINT KEY, why STRING) WITH (kafka_topic='returns', value_format='JSON', partitions=1);`;
  assert.match(await rejection('CREATE STREAM r AS SELECT * FROM returns;', quoted), /RETURNS does not exist\.\nDid you mean "Returns"\? Hint: wrap the source name in double quotes to make it case-sensitive\./);
  assert.match(await rejection('DROP STREAM "orders";'), /Stream orders does not exist\.\nDid you mean ORDERS\? Hint: try removing double quotes from the source name\./);
  assert.match(await rejection('CREATE STREAM l AS SELECT id, LEAST(*) AS l FROM orders;'), /Function 'LEAST' does not accept parameters \(\)\./i);
  assert.match(
    await rejection("CREATE TABLE c AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item HAVING COUNT(*) * 'x' > 1;"),
    /Error in HAVING expression: Error processing expression: \(COUNT\(\*\) \* 'x'\)\. Unsupported arithmetic types\. BIGINT STRING/,
  );
});

test('unknown statements, joins on maps, table aggregates without GROUP BY', async () => {
  assert.match(await rejection('DESCRIBEE orders;'), /^1:1: line 1:1: Syntax Error\nUnknown statement 'DESCRIBEE'\nDid you mean 'DESCRIBE'\?\nStatement: DESCRIBEE orders;$/);
  // A ksqlDB command Riffle does not have is not "unknown" with itself as the suggestion.
  assert.match(await rejection('PAUSE ALL;'), /^1:1: Syntax error at 'PAUSE': expected a statement/);
  assert.match(
    await rejection('CREATE STREAM j AS SELECT o.id, o.attrs, s.carrier FROM orders o JOIN shipments s WITHIN 1 HOUR ON o.attrs = MAP(s.item := 1);'),
    /Map keys, including types that contain maps, are not supported .* Key column name: `O_ATTRS`\. Column type: MAP<STRING, INTEGER>\./,
  );
  assert.match(
    await rejection('CREATE TABLE totals AS SELECT MAX(qty) AS most, COUNT() AS n FROM orders;'),
    /CREATE TABLE AS SELECT statement does not support aggregate function \[MAX\(QTY\), COUNT\(ROWTIME\)\] without a GROUP BY clause\./,
  );
});

test('after a column definition only , or ) fit (ksqlDB\'s ANTLR expectation)', async () => {
  assert.equal(
    await rejection("CREATE TABLE t (k INT PRIMARY KEY, v DOUBLE NOT NULL) WITH (kafka_topic='t', value_format='JSON');"),
    "1:45: line 1:45: Syntax Error\nExpecting {',', ')'}\nStatement: CREATE TABLE t (k INT PRIMARY KEY, v DOUBLE NOT NULL) WITH (kafka_topic='t', value_format='JSON');",
  );
});

test('a schema full name is a schema-registry format\'s config', async () => {
  assert.match(
    await rejection("CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', format='DELIMITED', value_schema_full_name='io.x.V', partitions=1);"),
    /DELIMITED does not support the following configs: \[fullSchemaName\]/,
  );
});
