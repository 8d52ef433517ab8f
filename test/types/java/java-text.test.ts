/**
 * The shared table of Java's value text: every JVM text rule of src/types/java against values
 * printed by Java itself (fixtures/JavaText.java, run on the JDK: see its header). Every layer
 * (analyze, exec, serde, functions) prints and parses through these functions, so this table
 * is what they all agree on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Decimal } from '../../../src/types/decimal.ts';
import { bigDecimalPlainString, bigDecimalString, javaDouble } from '../../../src/types/java/number-text.ts';
import { javaTrim, tryParseJavaDouble, tryParseJavaInt, tryParseJavaLongBig } from '../../../src/types/java/number-parse.ts';
import { parseBigDecimalParts } from '../../../src/types/java/decimal-parse.ts';
import {
  formatDate,
  formatTime,
  formatTimestamp,
  parseDate,
  parseTime,
  parseTimestamp,
  sqlDateText,
  sqlTimeText,
  sqlTimestampText,
} from '../../../src/types/java/time-text.ts';
import { javaText } from '../../../src/types/java/value-text.ts';

interface Golden {
  java: string;
  doubleToString: { bits: string; text: string }[];
  bigDecimal: { unscaled: string; scale: number; toString: string; toPlainString: string }[];
  parseBigDecimal: { text: string; unscaled: string; scale: number; toString: string }[];
  dates: { epochDay: number; date: string; epochMs: number; timestamp: string; sqlTimestamp: string; sqlDate: string }[];
  times: { msOfDay: number; text: string; localTimeOfMillis: string }[];
  parseTime: { text: string; msOfDay: number | null }[];
  parseDate: { text: string; epochDay: number | null }[];
  parseTimestamp: { text: string; epochMs: number | null }[];
  parseDouble: { text: string; bits: string | null }[];
  parseInteger: { text: string; int: string | null; long: string | null }[];
  trim: { text: string; trimmed: string }[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/java-text.golden.json', import.meta.url), 'utf8')) as Golden;

const view = new DataView(new ArrayBuffer(8));
function fromBits(hex: string): number {
  view.setBigUint64(0, BigInt('0x' + hex));
  return view.getFloat64(0);
}
function toBits(v: number): string {
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

/**
 * JDK 17 (the table's JDK) prints a few doubles with more digits than needed (JDK-4511638,
 * fixed in JDK 19, whose shortest digits ksqlDB on a current JDK prints and Riffle follows).
 */
const JDK19_SHORTEST: Record<string, string> = {
  '0000000000000002': '9.9E-324', // JDK 17: 1.0E-323 (JDK-8291240: 2 * MIN_VALUE prints 9.9E-324 since JDK 19)
  '44b52d02c7e14af6': '1.0E23', // JDK 17: 9.999999999999999E22
  '44c52d02c7e14af6': '2.0E23', // JDK 17: 1.9999999999999998E23
};

test('Double.toString: edge values (MIN_VALUE, MIN_NORMAL, the 1.0E7 and 0.001 boundaries, -0.0, NaN, Infinity, 1.0E21...)', () => {
  assert.ok(golden.doubleToString.length >= 40);
  for (const { bits, text } of golden.doubleToString) {
    const expected = JDK19_SHORTEST[bits] ?? text;
    assert.equal(javaDouble(fromBits(bits)), expected, `bits ${bits} (Java ${golden.java}: ${text})`);
  }
  // JS's shortest text of MIN_VALUE is 5e-324; Java prints two digits: 4.9E-324.
  assert.equal(javaDouble(Number.MIN_VALUE), '4.9E-324');
});

test('BigDecimal: toString (exponent forms, negative scales) and toPlainString', () => {
  for (const d of golden.bigDecimal) {
    const u = BigInt(d.unscaled);
    assert.equal(bigDecimalString(u, d.scale), d.toString, `${d.unscaled}E${-d.scale} toString`);
    assert.equal(bigDecimalPlainString(u, d.scale), d.toPlainString, `${d.unscaled}E${-d.scale} toPlainString`);
    if (d.scale >= 0) {
      assert.equal(new Decimal(u, d.scale).toString(), d.toPlainString, 'Decimal.toString is toPlainString');
      assert.equal(javaText({ kind: 'DECIMAL', precision: 38, scale: d.scale })(new Decimal(u, d.scale)), d.toString);
    }
  }
});

test('new BigDecimal(text): unscaled value and scale as written', () => {
  for (const d of golden.parseBigDecimal) {
    const p = parseBigDecimalParts(d.text);
    assert.ok(p, d.text);
    // BigDecimal has no negative zero: -0.000 is 0 with scale 3.
    assert.deepEqual({ unscaled: p.unscaled === 0n ? 0n : p.unscaled, scale: p.scale }, { unscaled: BigInt(d.unscaled), scale: d.scale }, d.text);
    assert.equal(bigDecimalString(p.unscaled, p.scale), d.toString, d.text);
  }
});

test('DATE and TIMESTAMP text: years beyond 9999 and before 1 (ksqlDB SqlTimeTypes, java.sql values in containers)', () => {
  for (const d of golden.dates) {
    assert.equal(formatDate(d.epochDay), d.date, `DATE ${d.epochDay}`);
    assert.equal(formatTimestamp(d.epochMs), d.timestamp, `TIMESTAMP ${d.epochMs}`);
    assert.equal(sqlTimestampText(d.epochMs), d.sqlTimestamp, `java.sql.Timestamp ${d.epochMs}`);
    assert.equal(sqlDateText(d.epochDay), d.sqlDate, `java.sql.Date ${d.epochDay}`);
  }
  assert.ok(golden.dates.some((d) => d.date.startsWith('+1')) && golden.dates.some((d) => d.date.startsWith('-')));
});

test('TIME text with and without seconds and millis (LocalTime of whole seconds: HH:mm or HH:mm:ss)', () => {
  for (const t of golden.times) {
    assert.equal(formatTime(t.msOfDay), t.text, `TIME ${t.msOfDay}`);
    assert.equal(sqlTimeText(t.msOfDay), t.text.length === 5 ? t.text + ':00' : t.text, `java.sql.Time ${t.msOfDay}`);
  }
});

test('TIME parsing (LocalTime.parse)', () => {
  for (const t of golden.parseTime) {
    // CAST trims the text first (CastEvaluator: parseTime(s.trim())), so Riffle's parser trims.
    if (t.text !== t.text.trim()) continue;
    assert.equal(parseTime(t.text), t.msOfDay, JSON.stringify(t.text));
  }
});

test('DATE parsing (LocalDate.parse of the completed text): signed years, strict days', () => {
  for (const d of golden.parseDate) assert.equal(parseDate(d.text), d.epochDay, d.text);
  // Every DATE text parses back to its day.
  for (const d of golden.dates) assert.equal(parseDate(formatDate(d.epochDay)), d.epochDay, d.date);
});

test("TIMESTAMP parsing (ksqlDB's yyyy-MM-dd'T'HH:mm:ss.SSS): year of era, SMART day-of-month", () => {
  for (const t of golden.parseTimestamp) assert.equal(parseTimestamp(t.text), t.epochMs, t.text);
  for (const d of golden.dates) {
    if (d.epochDay >= -719162) assert.equal(parseTimestamp(formatTimestamp(d.epochMs)), d.epochMs, d.timestamp); // from year 1 on
  }
});

test('Double.parseDouble: trimming, suffixes, hex floats, NaN/Infinity, over- and underflow', () => {
  for (const p of golden.parseDouble) {
    const v = tryParseJavaDouble(p.text);
    assert.equal(v === null ? null : toBits(v), p.bits, JSON.stringify(p.text));
  }
  // Hex floats round half-even like Java, subnormals included.
  assert.equal(tryParseJavaDouble('0x1.fffffffffffff8p0'), 2); // halfway, rounds to even
  assert.equal(tryParseJavaDouble('0x1.0000000000000800001p0'), 1 + 2 ** -52);
  assert.equal(tryParseJavaDouble('0x1p-1074'), Number.MIN_VALUE);
  assert.equal(tryParseJavaDouble('0x1p-1075'), 0);
  assert.equal(tryParseJavaDouble('0x1.8p-1075'), Number.MIN_VALUE);
  assert.equal(tryParseJavaDouble('0x1p1024'), Infinity);
  assert.equal(tryParseJavaDouble('-0x.8p1'), -1);
});

test('Integer.parseInt and Long.parseLong: signs, ranges, Unicode digits, no whitespace', () => {
  for (const p of golden.parseInteger) {
    const i = tryParseJavaInt(p.text);
    const l = tryParseJavaLongBig(p.text);
    assert.equal(i === null ? null : String(i), p.int, `int ${JSON.stringify(p.text)}`);
    assert.equal(l === null ? null : String(l), p.long, `long ${JSON.stringify(p.text)}`);
  }
});

test('String.trim: code units <= U+0020 only', () => {
  for (const t of golden.trim) assert.equal(javaTrim(t.text), t.trimmed, JSON.stringify(t.text));
});
