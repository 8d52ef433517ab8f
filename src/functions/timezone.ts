/**
 * Time zones without a dependency: Java zone ids resolve to a fixed offset (`+05:30`, `UTC`,
 * `GMT-8`) or an IANA region handled through Intl. Offsets of a region are cached per 15-minute
 * bucket of the instant (transitions fall on such boundaries), so the per-row cost is a map hit.
 */
import { FunctionError } from './types.ts';

export interface Zone {
  readonly id: string;
  /** Offset from UTC in ms at the given instant. */
  offsetAt(utcMs: number): number;
  /** The UTC instant of a local wall-clock time (earlier offset on overlaps, shifted on gaps). */
  toUtc(localMs: number): number;
  /** Java's short ('PDT') or long ('Pacific Daylight Time') display name at an instant. */
  name(utcMs: number, long: boolean): string;
}

const FIXED_RE = /^(?:(?:UTC|GMT|UT)(?=[+-]|$))?(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/i;

export function offsetText(offsetMs: number, colon: boolean, withSeconds = false): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.round(Math.abs(offsetMs) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  const sep = colon ? ':' : '';
  return `${sign}${String(h).padStart(2, '0')}${sep}${String(m).padStart(2, '0')}` + (withSeconds || s ? sep + String(s).padStart(2, '0') : '');
}

class FixedZone implements Zone {
  readonly id: string;
  private readonly offset: number;
  constructor(id: string, offset: number) {
    this.id = id;
    this.offset = offset;
  }
  offsetAt(): number {
    return this.offset;
  }
  toUtc(localMs: number): number {
    return localMs - this.offset;
  }
  name(_utcMs: number, long: boolean): string {
    if (this.offset === 0) return long ? (this.id === 'Z' ? 'Z' : 'Coordinated Universal Time') : this.id === 'Z' ? 'Z' : this.id;
    return this.id;
  }
}

class RegionZone implements Zone {
  readonly id: string;
  private readonly parts: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  private shortUs: Intl.DateTimeFormat | null = null;
  private shortGb: Intl.DateTimeFormat | null = null;
  private longFmt: Intl.DateTimeFormat | null = null;
  /** Display names by offset and style: a name changes only with the offset (DST). */
  private readonly names = new Map<string, string>();
  constructor(id: string) {
    this.id = id;
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }
  offsetAt(utcMs: number): number {
    const bucket = Math.floor(utcMs / 900_000);
    let off = this.cache.get(bucket);
    if (off === undefined) {
      if (this.cache.size > 4096) this.cache.clear();
      off = this.compute(bucket * 900_000);
      this.cache.set(bucket, off);
    }
    return off;
  }
  private compute(utcMs: number): number {
    const f: Record<string, string> = {};
    for (const p of this.parts.formatToParts(new Date(utcMs))) f[p.type] = p.value;
    let year = Number(f.year);
    if (f.era === 'BC' || f.era === 'B') year = 1 - year;
    const d = new Date(0);
    d.setUTCFullYear(year, Number(f.month) - 1, Number(f.day));
    d.setUTCHours(Number(f.hour), Number(f.minute), Number(f.second), 0);
    return d.getTime() - utcMs;
  }
  toUtc(localMs: number): number {
    // Candidate offsets: the one before and the one after any nearby transition. Java prefers
    // the earlier offset on an overlap; in a gap the earlier offset shifts the time forward.
    const before = this.offsetAt(localMs - 86_400_000);
    if (this.offsetAt(localMs - before) === before) return localMs - before;
    const after = this.offsetAt(localMs + 86_400_000);
    if (this.offsetAt(localMs - after) === after) return localMs - after;
    return localMs - before;
  }
  name(utcMs: number, long: boolean): string {
    const key = `${this.offsetAt(utcMs)}|${long}`;
    let n = this.names.get(key);
    if (n === undefined) {
      n = this.computeName(utcMs, long);
      this.names.set(key, n);
    }
    return n;
  }
  private computeName(utcMs: number, long: boolean): string {
    if (long) {
      this.longFmt ??= new Intl.DateTimeFormat('en-US', { timeZone: this.id, timeZoneName: 'long' });
      return zonePart(this.longFmt, utcMs);
    }
    this.shortUs ??= new Intl.DateTimeFormat('en-US', { timeZone: this.id, timeZoneName: 'short' });
    const us = zonePart(this.shortUs, utcMs);
    if (!us.startsWith('GMT') || us === 'GMT') return us;
    this.shortGb ??= new Intl.DateTimeFormat('en-GB', { timeZone: this.id, timeZoneName: 'short' });
    return zonePart(this.shortGb, utcMs);
  }
}

function zonePart(f: Intl.DateTimeFormat, utcMs: number): string {
  for (const p of f.formatToParts(new Date(utcMs))) if (p.type === 'timeZoneName') return p.value;
  return '';
}

/** Java's old three-letter ids (ZoneId.SHORT_IDS) that ksqlDB users still write. */
const SHORT_IDS: Record<string, string> = {
  EST: '-05:00',
  MST: '-07:00',
  HST: '-10:00',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  EDT: 'America/New_York',
  MDT: 'America/Denver',
  BST: 'Europe/London',
  CET: 'Europe/Paris',
  CEST: 'Europe/Paris',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
};

const zones = new Map<string, Zone>();

function build(id: string): Zone | null {
  const fixed = FIXED_RE.exec(id);
  if (fixed) {
    if (!fixed[1]) return new FixedZone(id === '' ? 'UTC' : id, 0);
    const sign = fixed[1] === '-' ? -1 : 1;
    const h = Number(fixed[2]);
    const m = fixed[3] ? Number(fixed[3]) : 0;
    const s = fixed[4] ? Number(fixed[4]) : 0;
    if (h > 18 || m > 59 || s > 59) return null;
    return new FixedZone(id, sign * ((h * 60 + m) * 60 + s) * 1000);
  }
  if (id === 'Z') return new FixedZone('Z', 0);
  const short = SHORT_IDS[id.toUpperCase()];
  if (short) return build(short);
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
    if (resolved === 'UTC' || resolved === 'Etc/UTC' || resolved === 'Etc/GMT') return new FixedZone(id, 0);
    return new RegionZone(id);
  } catch {
    return null;
  }
}

/** The zone of a Java zone id; null when unknown. */
export function findZone(id: string): Zone | null {
  let z = zones.get(id);
  if (z === undefined) {
    const built = build(id.trim());
    if (!built) return null;
    z = built;
    zones.set(id, z);
  }
  return z;
}

/** Like findZone, but an unknown id fails the record (ksqlDB throws on a bad zone). */
export function zoneOf(id: string): Zone {
  const z = findZone(id);
  if (!z) throw new FunctionError(`Unknown time-zone ID: ${id}`);
  return z;
}

export const UTC: Zone = new FixedZone('UTC', 0);
