/**
 * Value encoding of the stores (on disk in LMDB and on the wire in changelog topics).
 *
 * The default codec is MessagePack (msgpackr, the library LMDB itself uses), self-describing per
 * value (no shared record structures, so any changelog record decodes on its own), covering the
 * runtime values of Riffle's SQL types (src/types/sql-type.ts) exactly:
 * - number stays number (integers above 2^32 and fractions as float64, never rounded), except
 *   that -0 comes back as 0 (msgpackr writes it as the integer 0; SQL compares them equal);
 * - bigint stays bigint whatever its size (int64 up to 64 bits, msgpackr's bigint extension above);
 * - Uint8Array/Buffer come back as Buffer (a Uint8Array), copied out of the source bytes;
 * - Decimal (src/types/decimal.ts) as extension type 0x44 ('D'): [unscaled bigint, scale];
 * - null, boolean, string, arrays and plain objects (MAP/STRUCT) as themselves.
 * `undefined` inside arrays/objects round-trips as undefined; a top-level value is never
 * undefined (stores reject it).
 *
 * The codec id is recorded in checkpoint files; a changed encoding gets a new id.
 */
import { Packr, RESERVE_START_SPACE, addExtension } from 'msgpackr';
import { Decimal } from '../types/decimal.ts';

export interface ValueCodec<V = unknown> {
  /** Identifies the encoding; stored next to persisted state so a mismatch is detected. */
  readonly id: string;
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

const DECIMAL_EXT = 0x44;

// msgpackr's extension table is module-global (also seen by LMDB's own msgpackr instance, where
// it is harmless: it only applies to Decimal instances). Registered once per process.
let registered = false;
function registerExtensions(): void {
  if (registered) return;
  registered = true;
  addExtension({
    Class: Decimal,
    type: DECIMAL_EXT,
    write: (d: Decimal) => [d.unscaled, d.scale],
    read: (a: [bigint | number, number]) => new Decimal(BigInt(a[0]), a[1]),
  });
}

function makePackr(): Packr {
  registerExtensions();
  return new Packr({
    useRecords: false,
    mapsAsObjects: true,
    moreTypes: false,
    copyBuffers: true,
    int64AsType: 'bigint',
    useBigIntExtension: true,
  });
}

class MsgpackCodec implements ValueCodec<unknown> {
  readonly id = 'msgpack-v1';
  private readonly packr = makePackr();

  encode(value: unknown): Uint8Array {
    return this.packr.pack(value);
  }

  decode(bytes: Uint8Array): unknown {
    return this.packr.unpack(bytes);
  }

  /** Two header bytes, then the MessagePack of `value` (written after them: no copy). */
  encodeWithHeader(value: unknown, b0: number, b1: number): Uint8Array {
    const out = this.packr.pack(value, RESERVE_START_SPACE | 2);
    out[0] = b0;
    out[1] = b1;
    return out;
  }

  /**
   * The value whose MessagePack starts `offset` bytes into `bytes`. `bytes.length` bounds it (LMDB's
   * getBinaryFast hands a shared buffer whose `length` is the value's, its real extent larger).
   */
  decodeFrom(bytes: Uint8Array, offset: number): unknown {
    return this.packr.unpack(bytes, { start: offset, end: bytes.length });
  }
}

/** The default codec (one shared instance: msgpackr is synchronous and reentrant per call). */
export const msgpackCodec: ValueCodec<unknown> & Pick<MsgpackCodec, 'encodeWithHeader' | 'decodeFrom'> = new MsgpackCodec();

/** The default codec typed for a store's value type. */
export function defaultCodec<V>(): ValueCodec<V> {
  return msgpackCodec as ValueCodec<V>;
}
