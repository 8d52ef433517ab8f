/**
 * Date/time text on one core, hand-written code against @js-joda (a port of java.time), in one
 * process so that only the ratios matter: the ISO printers of CAST/JSON (TIMESTAMP, DATE, TIME),
 * FORMAT_TIMESTAMP / PARSE_TIMESTAMP with a pattern, in UTC and in an IANA zone, FORMAT_DATE and
 * CONVERT_TZ, each over the same rows, plus how many rows the two disagree on.
 * The js-joda side is only loaded when installed (it is a measuring candidate, not a dependency).
 *   node bench/datetime.bench.ts [rows] [rounds]
 */
import { getFunction } from '../src/functions/registry.ts';
import type { ArgType } from '../src/functions/types.ts';
import { DATE, STRING, TIMESTAMP } from '../src/types/sql-type.ts';
import { formatDate, formatTime, formatTimestamp } from '../src/types/java/time-text.ts';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);

// Loaded by a computed name, so that the project type-checks without the packages installed.
const load = (name: string): Promise<Record<string, any>> => import(name);
let joda: Record<string, any>;
let US: unknown;
try {
  joda = await load('@js-joda/core');
  await load('@js-joda/timezone');
  await load('@js-joda/locale_en-us'); // registers the en-US data with @js-joda/locale
  US = (await load('@js-joda/locale')).Locale.US;
} catch {
  console.log('@js-joda/core, @js-joda/timezone, @js-joda/locale and @js-joda/locale_en-us are not installed: npm install --no-save them to compare');
  process.exit(0);
}
const { DateTimeFormatter, Instant, LocalDate, LocalDateTime, LocalTime, ZoneId, ZoneOffset, ZonedDateTime } = joda;

function impl(name: string, types: ArgType[], literals: unknown[]): (...a: unknown[]) => unknown {
  const r = getFunction(name)!.resolve(types, { literalArg: (i: number) => literals[i] });
  if (typeof r === 'string' || !('impl' in r)) throw new Error(`${name}: ${String(r)}`);
  return r.impl;
}

// Instants over ~60 years (both DST seasons), days, and texts for parsing.
const ts = Array.from({ length: N }, (_, i) => 1_000_000_000_000 + i * 9_876_543_211 % 1_900_000_000_000 - 950_000_000_000);
const days = ts.map((t) => Math.floor(t / 86_400_000));
const PATTERN = 'yyyy-MM-dd HH:mm:ss.SSS';
const TEXT_PATTERN = 'EEE, dd MMM yyyy HH:mm:ss z';
const texts = ts.map((t) => ZonedDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(PATTERN)));
const LA = 'America/Los_Angeles';

interface Case {
  name: string;
  hand: (i: number) => unknown;
  joda: (i: number) => unknown;
}

const fmtTs = impl('FORMAT_TIMESTAMP', [TIMESTAMP, STRING], [undefined, PATTERN]);
const fmtTsZone = impl('FORMAT_TIMESTAMP', [TIMESTAMP, STRING, STRING], [undefined, PATTERN, LA]);
const fmtTsText = impl('FORMAT_TIMESTAMP', [TIMESTAMP, STRING, STRING], [undefined, TEXT_PATTERN, LA]);
const parseTs = impl('PARSE_TIMESTAMP', [STRING, STRING], [undefined, PATTERN]);
const parseTsZone = impl('PARSE_TIMESTAMP', [STRING, STRING, STRING], [undefined, PATTERN, LA]);
const fmtDate = impl('FORMAT_DATE', [DATE, STRING], [undefined, 'dd/MM/yyyy']);
const convertTz = impl('CONVERT_TZ', [TIMESTAMP, STRING, STRING], [undefined, 'UTC', LA]);

const jPattern = DateTimeFormatter.ofPattern(PATTERN);
const jTextPattern = DateTimeFormatter.ofPattern(TEXT_PATTERN).withLocale(US);
const jIsoTs = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
const jDate = DateTimeFormatter.ofPattern('dd/MM/yyyy');
const jLA = ZoneId.of(LA);
const at = (t: number, z: unknown) => ZonedDateTime.ofInstant(Instant.ofEpochMilli(t), z);

const cases: Case[] = [
  { name: 'TIMESTAMP text (CAST, JSON)', hand: (i) => formatTimestamp(ts[i]), joda: (i) => at(ts[i], ZoneOffset.UTC).format(jIsoTs) },
  { name: 'DATE text', hand: (i) => formatDate(days[i]), joda: (i) => LocalDate.ofEpochDay(days[i]).toString() },
  {
    name: 'TIME text',
    hand: (i) => formatTime(((ts[i] % 86_400_000) + 86_400_000) % 86_400_000),
    joda: (i) => LocalTime.ofSecondOfDay(Math.floor((((ts[i] % 86_400_000) + 86_400_000) % 86_400_000) / 1000)).toString(),
  },
  { name: `FORMAT_TIMESTAMP '${PATTERN}' UTC`, hand: (i) => fmtTs(ts[i], PATTERN), joda: (i) => at(ts[i], ZoneOffset.UTC).format(jPattern) },
  { name: `FORMAT_TIMESTAMP '${PATTERN}' ${LA}`, hand: (i) => fmtTsZone(ts[i], PATTERN, LA), joda: (i) => at(ts[i], jLA).format(jPattern) },
  { name: `FORMAT_TIMESTAMP '${TEXT_PATTERN}' ${LA}`, hand: (i) => fmtTsText(ts[i], TEXT_PATTERN, LA), joda: (i) => at(ts[i], jLA).format(jTextPattern) },
  {
    name: `PARSE_TIMESTAMP '${PATTERN}' UTC`,
    hand: (i) => parseTs(texts[i], PATTERN),
    joda: (i) => LocalDateTime.parse(texts[i], jPattern).toInstant(ZoneOffset.UTC).toEpochMilli(),
  },
  {
    name: `PARSE_TIMESTAMP '${PATTERN}' ${LA}`,
    hand: (i) => parseTsZone(texts[i], PATTERN, LA),
    joda: (i) => LocalDateTime.parse(texts[i], jPattern).atZone(jLA).toInstant().toEpochMilli(),
  },
  { name: "FORMAT_DATE 'dd/MM/yyyy'", hand: (i) => fmtDate(days[i], 'dd/MM/yyyy'), joda: (i) => LocalDate.ofEpochDay(days[i]).format(jDate) },
  {
    name: `CONVERT_TZ UTC -> ${LA}`,
    hand: (i) => convertTz(ts[i], 'UTC', LA),
    joda: (i) => ts[i] + jLA.rules().offset(Instant.ofEpochMilli(ts[i])).totalSeconds() * 1000,
  },
];

/** Median rates of the two sides, measured in alternating rounds so that load drift hits both. */
function rates(a: (i: number) => unknown, b: (i: number) => unknown): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  let sink = 0;
  const once = (f: (i: number) => unknown, out: number[]): void => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (f(i) !== null) sink++;
    out.push(N / (Number(process.hrtime.bigint() - t0) / 1e9));
  };
  for (let r = 0; r < ROUNDS; r++) {
    once(a, ra);
    once(b, rb);
  }
  if (sink < 0) console.log(sink);
  const median = (x: number[]): number => x.sort((p, q) => p - q)[x.length >> 1];
  return [median(ra), median(rb)];
}

const k = (x: number): string => `${(x / 1e6).toFixed(2)}M/s`;
const results = [];
for (const c of cases) {
  let differ = 0;
  let sample = '';
  for (let i = 0; i < N; i++) {
    const a = c.hand(i);
    const b = c.joda(i);
    if (String(a) !== String(b)) {
      if (!differ) sample = `${ts[i]}: ${String(a)} vs ${String(b)}`;
      differ++;
    }
  }
  const [hand, jj] = rates(c.hand, c.joda);
  results.push({ case: c.name, hand: k(hand), jsJoda: k(jj), jodaOverHand: Number((jj / hand).toFixed(2)), differ, sample });
  console.log(`${c.name.padEnd(62)} hand ${k(hand).padStart(9)}  js-joda ${k(jj).padStart(9)}  ratio ${(jj / hand).toFixed(2)}  differ ${differ}${sample ? ` (${sample})` : ''}`);
}
console.log(JSON.stringify({ bench: 'datetime', rows: N, rounds: ROUNDS, results }));
