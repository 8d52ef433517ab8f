/**
 * Bytes and encoding functions: TO_BYTES, FROM_BYTES, ENCODE and the numeric *_FROM_BYTES.
 * Encodings are 'hex', 'utf8', 'ascii', 'base64' (case-insensitive).
 */
import type { FunctionDef } from './types.ts';
import { FunctionError } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';
import { normBig } from './util.ts';

type Encoding = 'hex' | 'utf8' | 'ascii' | 'base64';

function encodingOf(name: string): Encoding | null {
  const n = name.toLowerCase();
  return n === 'hex' || n === 'utf8' || n === 'ascii' || n === 'base64' ? n : null;
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Hex text to bytes, as ksqlDB's ENCODE reads it: optional `0x` prefix (an odd digit count is
 * left-padded), or `X'..'`; null when malformed.
 */
function parseHex(s: string): Buffer | null {
  let digits: string;
  if (s.startsWith('0x') || s.startsWith('0X')) {
    digits = s.slice(2);
    if (digits.length % 2 === 1) digits = '0' + digits;
  } else if ((s.startsWith("X'") || s.startsWith("x'")) && s.length >= 3 && s.endsWith("'")) {
    digits = s.slice(2, -1);
  } else {
    digits = s;
  }
  if (digits.length % 2 === 1 || !HEX.test(digits)) return null;
  return Buffer.from(digits, 'hex');
}

function toAsciiBytes(s: string): Buffer {
  const out = Buffer.alloc(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    out[n++] = c < 128 ? c : 0x3f; // unmappable -> '?', as Java's US_ASCII encoder
  }
  return out.subarray(0, n);
}

function fromAsciiBytes(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += b[i] < 128 ? String.fromCharCode(b[i]) : '\ufffd';
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function textToBytes(s: string, enc: Encoding, strictHex: boolean): Buffer | null {
  switch (enc) {
    case 'hex':
      return strictHex ? parseHex(s) : s.length % 2 === 0 && HEX.test(s) ? Buffer.from(s, 'hex') : null;
    case 'utf8':
      return Buffer.from(s, 'utf8');
    case 'ascii':
      return toAsciiBytes(s);
    case 'base64':
      return BASE64.test(s.replace(/\s/g, '')) ? Buffer.from(s, 'base64') : null;
  }
}

function bytesToText(b: Uint8Array, enc: Encoding, upperHex: boolean): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  switch (enc) {
    case 'hex': {
      const h = buf.toString('hex');
      return upperHex ? h.toUpperCase() : h;
    }
    case 'utf8':
      return buf.toString('utf8');
    case 'ascii':
      return fromAsciiBytes(buf);
    case 'base64':
      return buf.toString('base64');
  }
}

function toBytes(s: string, encoding: string): Buffer {
  const enc = encodingOf(encoding);
  if (!enc) throw new FunctionError(`Supported input encodings are: hex, utf8, ascii and base64, but got '${encoding}'`);
  const b = textToBytes(s, enc, false);
  if (b === null) throw new FunctionError(`Invalid ${enc} string: '${s}'`);
  return b;
}

function fromBytes(b: Uint8Array, encoding: string): string {
  const enc = encodingOf(encoding);
  if (!enc) throw new FunctionError(`Supported output encodings are: hex, utf8, ascii and base64, but got '${encoding}'`);
  return bytesToText(b, enc, true);
}

function encode(s: string, inEnc: string, outEnc: string): string | null {
  const i = encodingOf(inEnc);
  const o = encodingOf(outEnc);
  if (!i || !o) return null;
  const b = textToBytes(s, i, true);
  return b === null ? null : bytesToText(b, o, false);
}

function byteOrder(order: string): boolean {
  const o = order.toUpperCase();
  if (o === 'BIG_ENDIAN') return false;
  if (o === 'LITTLE_ENDIAN') return true;
  throw new FunctionError(`Byte order must be BIG_ENDIAN or LITTLE_ENDIAN, but was '${order}'`);
}

function view(b: Uint8Array, size: number): DataView {
  if (b.length !== size) throw new FunctionError(`Number of bytes must be equal to ${size}, but found ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, b.length);
}

const intFromBytes = (b: Uint8Array, order = 'BIG_ENDIAN'): number => view(b, 4).getInt32(0, byteOrder(order));
const bigintFromBytes = (b: Uint8Array, order = 'BIG_ENDIAN'): number | bigint =>
  normBig(view(b, 8).getBigInt64(0, byteOrder(order)));
const doubleFromBytes = (b: Uint8Array, order = 'BIG_ENDIAN'): number => view(b, 8).getFloat64(0, byteOrder(order));

export const bytesFunctions: FunctionDef[] = [
  scalar('TO_BYTES', "Converts a string to bytes with the given encoding ('hex', 'utf8', 'ascii' or 'base64').", [
    fn('str STRING, encoding STRING', 'BYTES', strict(toBytes)),
  ]),
  scalar('FROM_BYTES', "Converts bytes to a string with the given encoding ('hex', 'utf8', 'ascii' or 'base64').", [
    fn('bytes BYTES, encoding STRING', 'STRING', strict(fromBytes)),
  ]),
  scalar(
    'ENCODE',
    "Re-encodes a string from one encoding to another ('hex', 'utf8', 'ascii', 'base64'); NULL for unknown encodings or malformed input.",
    [fn('str STRING, inputEncoding STRING, outputEncoding STRING', 'STRING', strict(encode))],
  ),
  scalar('INT_FROM_BYTES', 'Reads a 4-byte INT, big-endian unless the byte order is LITTLE_ENDIAN.', [
    fn('bytes BYTES', 'INT', strict((b: Uint8Array) => intFromBytes(b))),
    fn('bytes BYTES, byteOrder STRING', 'INT', strict(intFromBytes)),
  ]),
  scalar('BIGINT_FROM_BYTES', 'Reads an 8-byte BIGINT, big-endian unless the byte order is LITTLE_ENDIAN.', [
    fn('bytes BYTES', 'BIGINT', strict((b: Uint8Array) => bigintFromBytes(b))),
    fn('bytes BYTES, byteOrder STRING', 'BIGINT', strict(bigintFromBytes)),
  ]),
  scalar('DOUBLE_FROM_BYTES', 'Reads an 8-byte IEEE 754 DOUBLE, big-endian unless the byte order is LITTLE_ENDIAN.', [
    fn('bytes BYTES', 'DOUBLE', strict((b: Uint8Array) => doubleFromBytes(b))),
    fn('bytes BYTES, byteOrder STRING', 'DOUBLE', strict(doubleFromBytes)),
  ]),
];
