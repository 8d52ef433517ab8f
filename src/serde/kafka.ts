/**
 * The KAFKA format: one column written with Kafka's primitive serializers (ksqlDB's
 * KafkaSerdeFactory): INTEGER 4-byte and BIGINT 8-byte big-endian two's complement, DOUBLE
 * 8-byte big-endian IEEE 754, STRING UTF-8, BYTES raw. A null value is null bytes; empty
 * bytes are the empty string for STRING and empty BYTES, an error for the fixed-size types.
 */
import { Buffer } from 'node:buffer';
import { formatType } from '../types/sql-type.ts';
import { SerdeError } from './types.ts';
import type { Serde, SerdeColumn } from './types.ts';
import { utf8Decode, utf8Encode } from './bytes.ts';
import { normaliseLong } from '../types/java/number-parse.ts';
import { emptySerde } from './none.ts';

export interface KafkaSerdeOptions {
  readonly isKey: boolean;
}

const SUPPORTED = new Set(['INTEGER', 'BIGINT', 'DOUBLE', 'STRING', 'BYTES']);

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function createKafkaSerde(columns: readonly SerdeColumn[], options: KafkaSerdeOptions): Serde {
  const target = options.isKey ? 'key' : 'value';
  if (columns.length === 0) return emptySerde();
  if (columns.length > 1) {
    const got = columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${options.isKey ? ' KEY' : ''}`).join(', ');
    throw new SerdeError(`The 'KAFKA' format only supports a single field. Got: [${got}]`);
  }
  const column = columns[0];
  const kind = column.type.kind;
  if (!SUPPORTED.has(kind)) {
    throw new SerdeError(`The 'KAFKA' format does not support type '${kind}'`);
  }

  const failWrite = (reason: string): never => {
    throw new SerdeError(`Failed to serialise ${target}: column ${column.name}: ${reason}`);
  };
  const failRead = (reason: string): never => {
    throw new SerdeError(`Failed to deserialise ${target}: ${reason}`);
  };

  let write: (v: unknown) => Uint8Array;
  let read: (b: Uint8Array) => unknown;
  switch (kind) {
    case 'INTEGER':
      write = (v) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
          return failWrite(`expected INTEGER, got ${String(v)}`);
        }
        const b = Buffer.allocUnsafe(4);
        b.writeInt32BE(v, 0);
        return b;
      };
      read = (b) => (b.length === 4 ? view(b).getInt32(0) : failRead('Size of data received by IntegerDeserializer is not 4'));
      break;
    case 'BIGINT':
      write = (v) => {
        const ok = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
        if (!ok) return failWrite(`expected BIGINT, got ${String(v)}`);
        const b = Buffer.allocUnsafe(8);
        // Safe integers without a BigInt: the high and low 32 bits of the two's complement.
        if (typeof v === 'number' && Number.isSafeInteger(v)) writeSafeInt64BE(b, 0, v);
        else b.writeBigInt64BE(BigInt.asIntN(64, BigInt(v as number | bigint)), 0);
        return b;
      };
      read = (b) =>
        b.length === 8 ? normaliseLong(view(b).getBigInt64(0)) : failRead('Size of data received by LongDeserializer is not 8');
      break;
    case 'DOUBLE':
      write = (v) => {
        if (typeof v !== 'number') return failWrite(`expected DOUBLE, got ${typeof v}`);
        const b = Buffer.allocUnsafe(8);
        b.writeDoubleBE(v, 0);
        return b;
      };
      read = (b) => (b.length === 8 ? view(b).getFloat64(0) : failRead('Size of data received by Deserializer is not 8'));
      break;
    case 'STRING':
      write = (v) => (typeof v === 'string' ? utf8Encode(v) : failWrite(`expected STRING, got ${typeof v}`));
      read = utf8Decode;
      break;
    default: // BYTES: the bytes themselves, not copied
      write = (v) => (v instanceof Uint8Array ? v : failWrite(`expected BYTES, got ${typeof v}`));
      read = (b) => b;
      break;
  }

  return {
    serialize(values) {
      if (values.length !== 1) {
        throw new SerdeError(
          `Failed to serialise ${target}: Column count mismatch on serialization. expected: 1, got: ${values.length}`,
        );
      }
      const v = values[0];
      return v == null ? null : write(v);
    },
    deserialize(bytes) {
      return bytes === null ? null : [read(bytes)];
    },
  };
}

/** Writes a safe integer as a big-endian int64 (two's complement) without a BigInt. */
export function writeSafeInt64BE(b: Buffer, offset: number, n: number): void {
  const hi = Math.floor(n / 0x1_0000_0000);
  b.writeInt32BE(hi, offset);
  b.writeUInt32BE(n - hi * 0x1_0000_0000, offset + 4);
}
