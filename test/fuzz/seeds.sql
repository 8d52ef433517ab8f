-- Seed statements of the SQL fuzz test (test/fuzz/sql-fuzz.ts), one case per `-- case` block:
-- the case's CREATE STREAM/TABLE (without AS) statements set up a scratch engine, then mutated
-- versions of all its statements are executed on it. Used with the conformance cases when
-- ../shared/conformance is there, alone when it is not.
-- case
CREATE STREAM readings (id STRING KEY, temp DOUBLE, site STRING, n INT, big BIGINT, amount DECIMAL(10, 2), tags ARRAY<STRING>, attrs MAP<STRING, INT>, loc STRUCT<lat DOUBLE, lon DOUBLE>, ts BIGINT) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE STREAM hot AS SELECT id, temp * 1.8 + 32 AS temp_f, UCASE(site) AS site FROM readings WHERE temp > 30 AND site IS NOT NULL;
CREATE STREAM shaped AS SELECT id, CASE WHEN temp < 0 THEN 'freezing' WHEN temp < 20 THEN 'mild' ELSE 'hot' END AS band, CAST(n AS STRING) AS ns, loc->lat AS lat, tags[1] AS first_tag, attrs['a'] AS a FROM readings EMIT CHANGES;
CREATE STREAM lambdas AS SELECT id, TRANSFORM(tags, t => UCASE(t)) AS up, FILTER(tags, t => LEN(t) > 2) AS longer, REDUCE(tags, 0, (s, t) => s + LEN(t)) AS total FROM readings;
CREATE STREAM keyed AS SELECT site, id, temp FROM readings PARTITION BY site;
CREATE STREAM exploded AS SELECT id, EXPLODE(tags) AS tag FROM readings;
INSERT INTO readings (id, temp, site, n) VALUES ('a', 21.5, 'lyon', 3);
SELECT id, temp FROM readings WHERE site LIKE 'ly%' AND n BETWEEN 1 AND 5 AND id IN ('a', 'b') EMIT CHANGES LIMIT 3;
-- case
CREATE STREAM orders (order_id STRING KEY, customer STRING, amount DOUBLE, qty INT, placed BIGINT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1, TIMESTAMP='placed');
CREATE TABLE per_customer AS SELECT customer, COUNT(*) AS n, SUM(amount) AS total, MAX(qty) AS biggest, COLLECT_LIST(order_id) AS ids FROM orders GROUP BY customer HAVING COUNT(*) > 1;
CREATE TABLE windowed AS SELECT customer, WINDOWSTART AS ws, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS) GROUP BY customer EMIT CHANGES;
CREATE TABLE hopping AS SELECT customer, AVG(amount) AS avg_amount FROM orders WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 1 MINUTE) GROUP BY customer;
CREATE TABLE sessions AS SELECT customer, LATEST_BY_OFFSET(amount) AS last_amount FROM orders WINDOW SESSION (30 SECONDS) GROUP BY customer EMIT FINAL;
CREATE TABLE by_expr AS SELECT customer + '-' + CAST(qty AS STRING) AS k, SUM(qty * 2) AS s FROM orders GROUP BY customer + '-' + CAST(qty AS STRING);
CREATE STREAM running AS SELECT customer, SUM(amount) OVER (PARTITION BY customer) AS running_total FROM orders;
-- case
CREATE STREAM clicks (user_id STRING KEY, url STRING, ts BIGINT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE users (user_id STRING PRIMARY KEY, name STRING, country STRING, age INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM enriched AS SELECT c.user_id AS user_id, c.url, u.name, u.country FROM clicks c LEFT JOIN users u ON c.user_id = u.user_id;
CREATE STREAM self_join AS SELECT a.user_id AS id, a.url AS first_url, b.url AS second_url FROM clicks a JOIN clicks b WITHIN 1 HOUR ON a.user_id = b.user_id;
CREATE TABLE by_country AS SELECT country, COUNT(*) AS n FROM users GROUP BY country;
SELECT * FROM users WHERE user_id = 'u1';
DESCRIBE users EXTENDED;
EXPLAIN SELECT * FROM clicks EMIT CHANGES;
-- case
CREATE STREAM events (id BIGINT KEY, kind STRING, payload STRING, score DOUBLE) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='DELIMITED', PARTITIONS=1);
CREATE STREAM parsed AS SELECT id, EXTRACTJSONFIELD(payload, '$.a') AS a, SUBSTRING(kind, 1, 3) AS k3, REGEXP_REPLACE(kind, '[0-9]+', '#') AS masked, ROUND(score, 2) AS r, COALESCE(kind, 'none') AS kind FROM events WHERE NOT (score IS NULL) AND kind <> 'skip';
CREATE STREAM ts AS SELECT id, TIMESTAMPTOSTRING(ROWTIME, 'yyyy-MM-dd HH:mm:ss') AS t, FORMAT_TIMESTAMP(FROM_UNIXTIME(id), 'HH:mm') AS hm, ARRAY[score, score * 2] AS both, MAP('k' := kind) AS m, STRUCT(a := id, b := kind) AS s FROM events;
SET 'auto.offset.reset' = 'earliest';
SHOW STREAMS;
SHOW QUERIES;
DROP STREAM IF EXISTS nothing_here;
CREATE TYPE point AS STRUCT<x INT, y INT>;
-- case
CREATE TABLE accounts (id STRING PRIMARY KEY, owner STRING, balance DECIMAL(12, 2)) WITH (KAFKA_TOPIC='accounts', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE owners (owner STRING PRIMARY KEY, region STRING) WITH (KAFKA_TOPIC='owners', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE fk AS SELECT a.id AS id, a.balance, o.region FROM accounts a JOIN owners o ON a.owner = o.owner;
CREATE TABLE rich AS SELECT id, balance * 2 AS doubled, balance > 1000.00 AS is_rich FROM accounts WHERE balance IS NOT DISTINCT FROM balance;
INSERT INTO accounts (id, owner, balance) VALUES ('x', 'o', 12.50);
