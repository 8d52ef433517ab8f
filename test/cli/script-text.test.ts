/** Statement boundaries for the shell and the client (src/cli/script-text.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements, statementComplete } from '../../src/cli/script-text.ts';

test('splitStatements: `;` inside strings, quoted identifiers and comments does not end a statement', () => {
  assert.deepEqual(splitStatements("SELECT 'a;b' FROM s; SHOW `x;y`;\n-- c;\nSHOW STREAMS"), ["SELECT 'a;b' FROM s;", 'SHOW `x;y`;', '-- c;\nSHOW STREAMS']);
  assert.deepEqual(splitStatements('/* a; */ SHOW TOPICS; ; -- only a comment;'), ['/* a; */ SHOW TOPICS;']);
});

test('statementComplete: a `;` last, outside quotes and comments', () => {
  assert.equal(statementComplete('SHOW STREAMS;'), true);
  assert.equal(statementComplete('SHOW STREAMS; -- done'), true);
  assert.equal(statementComplete('SHOW STREAMS'), false);
  assert.equal(statementComplete("SELECT ';"), false);
  assert.equal(statementComplete('SELECT 1 /* ;'), false);
  assert.equal(statementComplete('SELECT 1; SELECT'), false);
  assert.equal(statementComplete('-- ;'), false);
});
