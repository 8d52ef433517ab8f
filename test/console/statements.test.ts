import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorPosition, firstKeyword, offsetIn, splitStatements, statementAt, tokenEnd } from '../../src/console/app/statements.ts';

test('splits a script at semicolons outside quotes and comments, with exact offsets', () => {
  const doc = "-- head\nCREATE STREAM s (a STRING) WITH (KAFKA_TOPIC='a;b', VALUE_FORMAT='JSON');\n/* c; */ SELECT `x;y`, 'it''s;' FROM s EMIT CHANGES;\n  PRINT 'topic' FROM BEGINNING";
  const st = splitStatements(doc);
  assert.deepEqual(st.map((s) => s.keyword), ['CREATE', 'SELECT', 'PRINT']);
  assert.deepEqual(st.map((s) => s.streaming), [false, true, true]);
  for (const s of st) assert.equal(doc.slice(s.from, s.to), s.text);
  assert.ok(st[0].text.startsWith('CREATE') && st[0].text.endsWith("'JSON');"));
  assert.ok(st[1].text.startsWith('SELECT `x;y`') && st[1].text.endsWith('EMIT CHANGES;'));
  assert.equal(st[2].text, "PRINT 'topic' FROM BEGINNING");
});

test('comment-only and empty parts are not statements', () => {
  assert.deepEqual(splitStatements('  ;\n-- nothing\n;  /* x */  '), []);
  assert.equal(firstKeyword('  -- a\n /* b */ show streams'), 'SHOW');
});

test('the statement at the cursor: inside it, or the one the cursor follows', () => {
  const doc = 'SHOW STREAMS;\nSHOW TABLES;\n';
  const st = splitStatements(doc);
  assert.equal(statementAt(st, 3)?.keyword, 'SHOW');
  assert.equal(statementAt(st, 3)?.text, 'SHOW STREAMS;');
  assert.equal(statementAt(st, doc.indexOf('TABLES'))?.text, 'SHOW TABLES;');
  assert.equal(statementAt(st, doc.length)?.text, 'SHOW TABLES;');
  assert.equal(statementAt([], 0), null);
});

test("the server's line:column maps back onto the document", () => {
  const doc = "SHOW STREAMS;\nCREATE STREAM x AS\n  SELECT nope FROM s;";
  const [, second] = splitStatements(doc);
  const pos = errorPosition("2:10: SELECT column 'NOPE' cannot be resolved.");
  assert.deepEqual(pos, { line: 2, column: 10, message: "SELECT column 'NOPE' cannot be resolved." });
  const from = offsetIn(second, pos!.line, pos!.column);
  assert.equal(doc.slice(from, tokenEnd(doc, from)), 'nope');
  assert.equal(errorPosition('Unauthorized'), null);
  // Past the end of the statement: clamped to it.
  assert.equal(offsetIn(second, 9, 1), second.to);
  assert.equal(tokenEnd("x 'a b' y", 2), 7);
});
