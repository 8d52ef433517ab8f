/**
 * Named, versioned state formats: how one kind of operator state (an aggregate's states, a join's
 * buffered row, ...) is laid out in its stores and changelog topics, so that a later release can
 * read what this one wrote (ksqlDB versions its execution steps the same way: streamSelectKeyV1/V2).
 *
 * Bytes of a value (on disk in LMDB and as changelog record values):
 *   0xC1 <version: uint8> <MessagePack of the format's payload>
 * 0xC1 is the one byte MessagePack never uses, so a value without that prefix is unambiguously
 * version 1: the plain MessagePack of the in-memory value, as releases before versioned formats
 * wrote it (e.g. `{a, t}` for an aggregate). Every value says its own version, so a store or a
 * compacted changelog that mixes versions (an old store written on by a newer release) reads
 * whole; nothing is migrated in place.
 *
 * Rules for a new version: bump `version`, keep decoding every earlier one in `fromPayload`
 * (a test reads a stored store of each old version: test-fixtures/state/v<N>/), never reuse a
 * version number, and add a format (new name) rather than change what a name holds.
 */
import { msgpackCodec, type ValueCodec } from '../codec.ts';

export interface StateFormat<V> {
  /** Stable name, recorded with the store (stores.json) and in codec ids: `aggregate`. */
  readonly name: string;
  /** The version this release writes (versions 1..version are read). */
  readonly version: number;
  /** The value as the current version's payload (MessagePack-able: arrays, numbers, ...). */
  toPayload(value: V): unknown;
  /** The value from a payload of `version` (1: the unprefixed legacy value). */
  fromPayload(payload: unknown, version: number): V;
}

/** First byte of a versioned value: a MessagePack type byte that is never used. */
export const VERSIONED = 0xc1;

/** Codec id of a format: `aggregate@v2`. */
export function formatCodecId(format: StateFormat<unknown>): string {
  return `${format.name}@v${format.version}`;
}

/** Ids of codecs whose values a format reads: its own and older versions, and the legacy msgpack codec (version 1). */
export function readsCodec(format: StateFormat<unknown>, codecId: string): boolean {
  if (codecId === msgpackCodec.id) return true;
  const m = /^(.+)@v(\d+)$/.exec(codecId);
  return m !== null && m[1] === format.name && Number(m[2]) <= format.version;
}

export class StateFormatError extends Error {}

/** The byte codec of a format (what the store stack and the changelog use). */
export function formatCodec<V>(format: StateFormat<V>): ValueCodec<V> {
  const id = formatCodecId(format as StateFormat<unknown>);
  const version = format.version;
  if (!Number.isInteger(version) || version < 2 || version > 255) throw new RangeError(`State format ${format.name}: version ${version} is not in 2..255`);
  return {
    id,
    encode(value: V): Uint8Array {
      return msgpackCodec.encodeWithHeader(format.toPayload(value), VERSIONED, version);
    },
    decode(bytes: Uint8Array): V {
      if (bytes[0] !== VERSIONED) return format.fromPayload(msgpackCodec.decode(bytes), 1);
      const v = bytes[1];
      if (v > version) {
        throw new StateFormatError(`State format ${format.name}: a value of version ${v} was written by a newer release (this one reads up to ${version})`);
      }
      return format.fromPayload(msgpackCodec.decodeFrom(bytes, 2), v);
    },
  };
}
