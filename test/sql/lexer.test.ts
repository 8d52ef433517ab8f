import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexScript, lineStarts, plainPositions, tokenize, type Token } from '../../src/sql/lexer.ts';

const lex = (text: string, variables = false) => lexScript(text, plainPositions(lineStarts(text)), variables);
const kinds = (tokens: readonly Token[]) => tokens.map((t) => `${t.kind}:${t.value}`);

test('numbers: the first rule that matches wins (DOUBLE, DECIMAL, DIGIT_WORD, INTEGER)', () => {
  const { tokens, error } = lex('1 1.5 1. .5 1e3 1.e2 .5E-3 1e 1e+ 1e5x 1.5e 12abc 1@a 1..2');
  assert.equal(error, null);
  assert.deepEqual(kinds(tokens), [
    'INTEGER:1', 'DECIMAL:1.5', 'DECIMAL:1.', 'DECIMAL:.5', 'DOUBLE:1e3', 'DOUBLE:1.e2', 'DOUBLE:.5E-3',
    'DIGIT_WORD:1E', 'DIGIT_WORD:1E', 'OP:+', 'DOUBLE:1e5', 'WORD:X', 'DECIMAL:1.5', 'WORD:E', 'DIGIT_WORD:12ABC',
    'DIGIT_WORD:1@A', 'DECIMAL:1.', 'DECIMAL:.2', 'EOF:',
  ]);
});

test('strings, quoted identifiers and bytes: doubled quotes, X without a closed quote is a word', () => {
  const { tokens, error } = lex(`'it''s' '' "a""b" \`c\`\`d\` X'0A' x 'y'`);
  assert.equal(error, null);
  assert.deepEqual(kinds(tokens), ["STRING:it's", 'STRING:', 'QUOTED:a"b', 'QUOTED:c`d', 'BYTES:0A', 'WORD:X', 'STRING:y', 'EOF:']);
});

test('operators and comments', () => {
  const { tokens } = lex('a:=b=>c->d<=e>=f<>g!=h||i -- to the end\n/* block * / */ j/k.l;');
  assert.deepEqual(kinds(tokens).filter((k) => k.startsWith('OP')), ['OP::=', 'OP:=>', 'OP:->', 'OP:<=', 'OP:>=', 'OP:<>', 'OP:!=', 'OP:||', 'OP:/', 'OP:.', 'OP:;']);
  assert.deepEqual(kinds(tokens).filter((k) => k.startsWith('WORD')).length, 12);
});

test('positions: 1-based line and column of every token, EOF at the end', () => {
  const { tokens } = lex('SELECT a,\n  b\u00a0FROM s;');
  assert.deepEqual(tokens.map((t) => [t.image, t.line, t.column, t.start, t.end]), [
    ['SELECT', 1, 1, 0, 6], ['a', 1, 8, 7, 8], [',', 1, 9, 8, 9], ['b', 2, 3, 12, 13], ['FROM', 2, 5, 14, 18], ['s', 2, 10, 19, 20], [';', 2, 11, 20, 21], ['', 2, 12, 21, 21],
  ]);
});

test('errors: position of the offending character, tokens before it kept, EOF at the error', () => {
  const cases: [string, string, number][] = [
    ["SELECT 'abc", "1:8: Unterminated string literal: missing closing quote (')", 7],
    ["SELECT 'a''", "1:11: Unterminated string literal: missing closing quote (')", 10],
    ['SELECT "a', '1:8: Unterminated quoted identifier: missing closing quote (")', 7],
    ['SELECT `a', '1:8: Unterminated quoted identifier: missing closing backquote (`)', 7],
    ['SELECT /* a', "1:8: Unterminated comment: missing '*/'", 7],
    ['SELECT a ! b', "1:10: Unexpected character '!'", 9],
    ['SELECT é', "1:8: Unexpected character 'é'", 7],
    ['SELECT ${a', '1:8: Malformed variable reference: expected ${name}', 7],
    ['SELECT ${a}', '1:8: Unexpected variable reference ${a}', 7],
  ];
  for (const [text, message, at] of cases) {
    const { tokens, error } = lex(text);
    assert.equal(error?.message, message, text);
    assert.equal(tokens[tokens.length - 1].kind, 'EOF');
    assert.equal(tokens[tokens.length - 1].start, at);
    assert.throws(() => tokenize(text, plainPositions(lineStarts(text))), (e: Error) => e.message === message);
  }
  assert.deepEqual(kinds(lex('SELECT ${a}', true).tokens), ['WORD:SELECT', 'VARIABLE:a', 'EOF:']);
});
