/**
 * JSON functions over JSON text: EXTRACTJSONFIELD, JSON_RECORDS, JSON_KEYS, JSON_ITEMS,
 * JSON_ARRAY_LENGTH, JSON_ARRAY_CONTAINS, JSON_CONCAT, IS_JSON_STRING, and TO_JSON_STRING.
 */
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import type { CallInfo } from './signature.ts';
import { fn, fnMake, strict } from './signature.ts';
import { scalar } from './define.ts';
import { Cache } from './util.ts';
import type { JsonNode } from './json-text.ts';
import { parseFirstJson, parseJson, toJsonText, writeJson } from './json-text.ts';
import { JsonNumber } from '../types/java/json-number.ts';

/** `$.a.b[0]['c d']` → ['a', 'b', '0', 'c d']; null when malformed. */
function tokenizePath(path: string): string[] | null {
  const out: string[] = [];
  let i = path.startsWith('$') ? 1 : 0;
  const n = path.length;
  while (i < n) {
    const c = path[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < n && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i) return null;
      out.push(path.slice(i, j));
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        const end = path.indexOf(q + ']', i + 2);
        if (end < 0) return null;
        out.push(path.slice(i + 2, end));
        i = end + 2;
      } else {
        const end = path.indexOf(']', i);
        if (end < 0) return null;
        out.push(path.slice(i + 1, end).trim());
        i = end + 1;
      }
    } else if (i === 0) {
      let j = i;
      while (j < n && path[j] !== '.' && path[j] !== '[') j++;
      out.push(path.slice(i, j));
      i = j;
    } else {
      return null;
    }
  }
  return out;
}

const paths = new Cache<string[] | null>();

function extractJsonField(input: string, path: string): string | null {
  const tokens = paths.get(path, tokenizePath);
  if (tokens === null) throw new FunctionError(`Invalid JSON path: ${path}`);
  let node = parseFirstJson(input);
  if (node === undefined) throw new FunctionError(`Invalid JSON format:${input}`);
  for (const t of tokens) {
    if (Array.isArray(node)) {
      if (!/^-?\d+$/.test(t)) return null;
      node = node[Number(t)];
    } else if (node instanceof Map) {
      node = node.get(t);
    } else {
      return null;
    }
    if (node === undefined) return null;
  }
  return typeof node === 'string' ? node : writeJson(node!);
}

const asText = (n: JsonNode): string => (typeof n === 'string' ? n : writeJson(n));

function records(text: string): Record<string, string> | null {
  const node = parseJson(text);
  if (!(node instanceof Map)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of node) out[k] = asText(v);
  return out;
}

function jsonKeys(text: string): string[] | null {
  const node = parseJson(text);
  return node instanceof Map ? [...node.keys()] : null;
}

function jsonItems(text: string): string[] | null {
  const node = parseJson(text);
  return Array.isArray(node) ? node.map(writeJson) : null;
}

function arrayLength(text: string): number | null {
  const node = parseJson(text);
  return Array.isArray(node) ? node.length : null;
}

const isIntegral = (raw: string): boolean => !/[.eE]/.test(raw);

function containsMatcher(kind: 'bool' | 'int' | 'double' | 'string') {
  return (json: string | null, value: unknown): boolean => {
    if (json === null) return false;
    const node = parseJson(json);
    if (!Array.isArray(node)) return false;
    for (const e of node) {
      if (value === null) {
        if (e === null) return true;
        continue;
      }
      switch (kind) {
        case 'bool':
          if (e === value) return true;
          break;
        case 'string':
          if (e === value) return true;
          break;
        case 'int':
          if (e instanceof JsonNumber && isIntegral(e.text) && BigInt(e.text) === BigInt(value as number | bigint)) return true;
          break;
        case 'double':
          if (e instanceof JsonNumber && !isIntegral(e.text) && Number(e.text) === value) return true;
          break;
      }
    }
    return false;
  };
}

function concat(texts: (string | null)[]): string | null {
  if (texts.length === 0) return null;
  const nodes: JsonNode[] = [];
  let allObjects = true;
  for (const t of texts) {
    if (t === null) return null;
    const n = parseJson(t);
    if (n === undefined) return null;
    if (!(n instanceof Map)) allObjects = false;
    nodes.push(n);
  }
  if (allObjects) {
    const out = new Map<string, JsonNode>();
    for (const n of nodes) for (const [k, v] of n as Map<string, JsonNode>) out.set(k, v);
    return writeJson(out);
  }
  const out: JsonNode[] = [];
  for (const n of nodes) {
    if (Array.isArray(n)) out.push(...n);
    else out.push(n);
  }
  return writeJson(out);
}

function makeToJson(call: CallInfo) {
  const t = call.types[0];
  return (v: unknown) => toJsonText(v, t);
}

export const jsonFunctions: FunctionDef[] = [
  scalar(
    'EXTRACTJSONFIELD',
    "The value at a JSONPath ('$.a.b[0]') in JSON text: strings unquoted, other values as JSON text; NULL when absent.",
    [fn('input STRING, path STRING', 'STRING', strict(extractJsonField))],
  ),
  scalar('JSON_RECORDS', 'The top-level keys and values (as text) of a JSON object; NULL if not an object.', [
    fn('jsonObj STRING', 'MAP<STRING, STRING>', strict(records)),
  ]),
  scalar('JSON_KEYS', 'The top-level keys of a JSON object; NULL if not an object.', [
    fn('jsonObj STRING', 'ARRAY<STRING>', strict(jsonKeys)),
  ]),
  scalar('JSON_ITEMS', 'The elements of a JSON array as JSON texts; NULL if not an array.', [
    fn('jsonArray STRING', 'ARRAY<STRING>', strict(jsonItems)),
  ]),
  scalar('JSON_ARRAY_LENGTH', 'The number of elements of a JSON array; NULL if not an array.', [
    fn('jsonArray STRING', 'INT', strict(arrayLength)),
  ]),
  scalar('JSON_ARRAY_CONTAINS', 'True when a JSON array contains the value at its top level.', [
    fn('jsonArray STRING, val BOOLEAN', 'BOOLEAN', containsMatcher('bool')),
    fn('jsonArray STRING, val INT', 'BOOLEAN', containsMatcher('int')),
    fn('jsonArray STRING, val BIGINT', 'BOOLEAN', containsMatcher('int')),
    fn('jsonArray STRING, val DOUBLE', 'BOOLEAN', containsMatcher('double')),
    fn('jsonArray STRING, val STRING', 'BOOLEAN', containsMatcher('string')),
  ]),
  scalar(
    'JSON_CONCAT',
    'Concatenates JSON values like PostgreSQL ||: objects merge keys (last wins), otherwise arrays concatenate (non-arrays become one-element arrays); NULL if any input is NULL or invalid.',
    [fn('jsonStrings STRING...', 'STRING', concat)],
  ),
  scalar('IS_JSON_STRING', 'True when the string is valid JSON.', [
    fn('json STRING', 'BOOLEAN', (s: string | null) => s !== null && parseJson(s) !== undefined),
  ]),
  scalar('TO_JSON_STRING', 'The JSON text of any value.', [fnMake('input T', 'STRING', makeToJson)]),
];
