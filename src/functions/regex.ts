/**
 * Regular-expression functions. Patterns are Java regexes; `javaRegex` translates the common
 * differences to JS (leading inline flags, \A \z \Z, POSIX \p{Alpha}-style classes) and compiled
 * patterns are cached by their text, so a literal pattern compiles once.
 * Note ksqlDB's argument order: REGEXP_EXTRACT(_ALL) take the pattern first.
 */
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';
import { Cache } from './util.ts';

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

function translate(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([imsx]+)\)/.exec(source);
  if (lead) {
    source = source.slice(lead[0].length);
    for (const f of lead[1]) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  source = source
    .replace(/\\p\{(?:Is)?(Lower|Upper|ASCII|Alpha|Digit|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space)\}/g, (_m, c: string) => `[${POSIX[c]}]`)
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$');
  return { source, flags };
}

function compile(pattern: string, extraFlags: string): RegExp {
  const { source, flags } = translate(pattern);
  try {
    return new RegExp(source, flags + extraFlags);
  } catch {
    try {
      return new RegExp(source, flags + extraFlags + 'u');
    } catch (e) {
      throw new FunctionError(`Invalid regular expression pattern: ${pattern} (${(e as Error).message})`);
    }
  }
}

const once = new Cache<RegExp>();
const global = new Cache<RegExp>();

/** A compiled, non-global regex for a Java pattern (cached). */
export const javaRegex = (pattern: string): RegExp => once.get(pattern, (p) => compile(p, ''));
const javaRegexGlobal = (pattern: string): RegExp => global.get(pattern, (p) => compile(p, 'g'));

type Part = string | { group: number } | { name: string };

/** Java replacement text (`$1`, `${name}`, `\\$`) parsed into literal text and group references. */
function parseReplacement(replacement: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\' && i + 1 < replacement.length) {
      lit += replacement[++i];
    } else if (c === '$') {
      if (lit) parts.push(lit);
      lit = '';
      if (replacement[i + 1] === '{') {
        const end = replacement.indexOf('}', i);
        if (end < 0) throw new FunctionError(`Named capturing group is missing trailing '}' in '${replacement}'`);
        parts.push({ name: replacement.slice(i + 2, end) });
        i = end;
      } else {
        let j = i + 1;
        while (j < replacement.length && /\d/.test(replacement[j])) j++;
        if (j === i + 1) throw new FunctionError(`Illegal group reference in '${replacement}'`);
        parts.push({ group: Number(replacement.slice(i + 1, j)) });
        i = j - 1;
      }
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

const replacements = new Cache<Part[]>();

/** A JS replace callback producing Java's replacement for each match. */
function replacer(replacement: string): string | ((...args: unknown[]) => string) {
  const parts = replacements.get(replacement, parseReplacement);
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return () => text;
  }
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const named = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : null;
    const groupCount = args.length - (named ? 4 : 3);
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if ('name' in p) {
        if (!named || !(p.name in named)) throw new FunctionError(`No group with name {${p.name}}`);
        out += named[p.name] ?? '';
      } else {
        // Java takes the longest digit prefix that is a valid group number.
        let g = p.group;
        let tail = '';
        while (g > groupCount && g >= 10) {
          tail = String(g % 10) + tail;
          g = Math.floor(g / 10);
        }
        if (g > groupCount) throw new FunctionError(`No group ${g}`);
        out += (g === 0 ? (args[0] as string) : ((args[g] as string | undefined) ?? '')) + tail;
      }
    }
    return out;
  };
}

function groupOf(m: RegExpExecArray | RegExpMatchArray, group: number): string | null {
  if (group < 0 || group >= m.length) throw new FunctionError(`No group ${group}`);
  return m[group] ?? null;
}

function extract(pattern: string, input: string, group = 0): string | null {
  const m = javaRegex(pattern).exec(input);
  return m ? groupOf(m, group) : null;
}

function extractAll(pattern: string, input: string, group = 0): (string | null)[] {
  const out: (string | null)[] = [];
  for (const m of input.matchAll(javaRegexGlobal(pattern))) out.push(groupOf(m, group));
  return out;
}

/** Java's Pattern.split(input, -1), without the captured groups JS's split would add. */
function regexSplit(input: string, pattern: string): string[] {
  const out: string[] = [];
  let index = 0;
  let matched = false;
  for (const m of input.matchAll(javaRegexGlobal(pattern))) {
    const start = m.index!;
    const end = start + m[0].length;
    // A zero-width match at the very beginning never yields a leading empty string.
    if (index === 0 && start === 0 && end === 0) continue;
    matched = true;
    out.push(input.slice(index, start));
    index = end;
  }
  if (!matched) return [input];
  out.push(input.slice(index));
  return out;
}

export const regexFunctions: FunctionDef[] = [
  scalar('REGEXP_EXTRACT', 'The first match of the pattern in the input (or the given capturing group); NULL when none.', [
    fn('pattern STRING, input STRING', 'STRING', strict((p: string, s: string) => extract(p, s))),
    fn('pattern STRING, input STRING, group INT', 'STRING', strict(extract)),
  ]),
  scalar('REGEXP_EXTRACT_ALL', 'Every match of the pattern in the input (or the given capturing group of each).', [
    fn('pattern STRING, input STRING', 'ARRAY<STRING>', strict((p: string, s: string) => extractAll(p, s))),
    fn('pattern STRING, input STRING, group INT', 'ARRAY<STRING>', strict(extractAll)),
  ]),
  scalar('REGEXP_REPLACE', 'Replaces every match of the regex with the replacement ($1 refers to groups).', [
    fn('input STRING, regex STRING, replacement STRING', 'STRING', strict((s: string, p: string, r: string) =>
      s.replace(javaRegexGlobal(p), replacer(r) as (m: string) => string),
    )),
  ]),
  scalar('REGEXP_SPLIT_TO_ARRAY', 'Splits a string on a regex, keeping empty parts.', [
    fn('input STRING, regex STRING', 'ARRAY<STRING>', strict(regexSplit)),
  ]),
];
