/**
 * The training-data sink: rows of a query written as numbered files (`<prefix>-<seq>.<ext>`) in a
 * directory, each closed file described by a manifest (`<prefix>-<seq>.manifest.json`) with the
 * schema, row count, the topic/partition/offset ranges and event-time range it holds, and two
 * checksums (of the file's bytes and of its rows in the canonical form of format.ts), so a
 * training run can be reproduced exactly from the same records.
 *
 * A file is rolled when it reaches `rollRows` rows or when its first row is older than
 * `rollIntervalMs` (checked on each append and on `tick`). Durability and the commit protocol:
 * the data file is written to a temporary name, fsynced and renamed, then the manifest the same
 * way; the manifest is the commit marker (a data file without one is an unfinished roll and is
 * removed on open). A caller consuming from a log commits its input offsets only after `roll`
 * resolved (the offsets recorded in the manifest), so after a crash the rows of the open file are
 * read again and written once: each offset lands in exactly one committed file.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { RowChecksum, describeColumn, storedKind, storedValue, type FileFormat, type StoredKind, type TrainingColumn } from './format.ts';
import { encodeRows } from './encode.ts';

export const MANIFEST_FORMAT = 'riffle-training-data/1';

export interface TrainingDataOptions {
  readonly dir: string;
  /** File name prefix; files are `<prefix>-<000001>.<ext>`. */
  readonly prefix: string;
  readonly format: FileFormat;
  readonly columns: readonly TrainingColumn[];
  /** Roll after this many rows (> 0). */
  readonly rollRows: number;
  /** Roll when the open file's first row was appended this long ago (ms; 0 = never by time). */
  readonly rollIntervalMs: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** Where a row came from: enough to read exactly the same records again. */
export interface RowOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Event time (ROWTIME), epoch ms. */
  readonly ts: number;
}

export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset in the file. */
  readonly from: number;
  /** Last offset in the file (inclusive). */
  readonly to: number;
  readonly rows: number;
}

export interface TrainingDataManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly sequence: number;
  readonly file: string;
  readonly fileFormat: FileFormat;
  readonly bytes: number;
  readonly fileSha256: string;
  readonly rowCount: number;
  readonly rowsChecksum: { readonly algorithm: 'sha256'; readonly canonical: 'riffle-rows-v1'; readonly value: string };
  readonly schema: readonly ReturnType<typeof describeColumn>[];
  readonly offsets: readonly OffsetRange[];
  readonly eventTime: { readonly min: number; readonly max: number } | null;
  readonly createdAt: string;
}

type Stored = string | number | bigint | boolean | null;

const EXT: Record<FileFormat, string> = { parquet: 'parquet', csv: 'csv', jsonl: 'jsonl' };

export class TrainingDataWriter {
  private readonly opts: TrainingDataOptions;
  private readonly kinds: readonly StoredKind[];
  private readonly now: () => number;
  private rows: Stored[][] = [];
  private ranges = new Map<string, { topic: string; partition: number; from: number; to: number; rows: number }>();
  private minTs = Infinity;
  private maxTs = -Infinity;
  private openedAt = 0;
  private nextSequence = 1;
  private readonly listeners: ((m: TrainingDataManifest, path: string) => void)[] = [];

  private constructor(opts: TrainingDataOptions) {
    if (!(opts.rollRows > 0)) throw new Error('training data: ROLL_ROWS must be a positive number of rows');
    if (opts.columns.length === 0) throw new Error('training data: no columns');
    this.opts = opts;
    this.kinds = opts.columns.map((c) => storedKind(c.type));
    this.now = opts.now ?? Date.now;
  }

  /** Opens the directory: removes unfinished rolls and continues the numbering after the last manifest. */
  static async open(opts: TrainingDataOptions): Promise<TrainingDataWriter> {
    const w = new TrainingDataWriter(opts);
    await mkdir(opts.dir, { recursive: true });
    const names = await readdir(opts.dir);
    const committed = new Set<number>();
    const re = new RegExp('^' + escapeRe(opts.prefix) + '-(\\d{6,})\\.manifest\\.json$');
    for (const n of names) {
      const m = re.exec(n);
      if (m) committed.add(Number(m[1]));
    }
    const dataRe = new RegExp('^' + escapeRe(opts.prefix) + '-(\\d{6,})\\.(parquet|csv|jsonl)$');
    for (const n of names) {
      const m = dataRe.exec(n);
      if ((m && !committed.has(Number(m[1]))) || n.endsWith('.tmp')) await rm(join(opts.dir, n), { force: true });
    }
    w.nextSequence = committed.size === 0 ? 1 : Math.max(...committed) + 1;
    return w;
  }

  /** Called with each committed manifest (the pipeline trigger listens here). */
  onManifest(listener: (m: TrainingDataManifest, path: string) => void): void {
    this.listeners.push(listener);
  }

  get pendingRows(): number {
    return this.rows.length;
  }

  /**
   * Adds rows (cols in the order of `columns`); returns the manifests of the files this closed.
   * Rolls happen inside the batch at exactly `rollRows` rows.
   */
  async append(rows: readonly { readonly cols: readonly unknown[]; readonly origin: RowOrigin }[]): Promise<TrainingDataManifest[]> {
    const done: TrainingDataManifest[] = [];
    const cols = this.opts.columns;
    for (const r of rows) {
      if (this.rows.length === 0) this.openedAt = this.now();
      const stored: Stored[] = new Array(cols.length);
      for (let i = 0; i < cols.length; i++) stored[i] = storedValue(r.cols[i], cols[i]!.type);
      this.rows.push(stored);
      const o = r.origin;
      const key = o.topic + '\u0000' + o.partition;
      const range = this.ranges.get(key);
      if (range) {
        range.from = Math.min(range.from, o.offset);
        range.to = Math.max(range.to, o.offset);
        range.rows++;
      } else this.ranges.set(key, { topic: o.topic, partition: o.partition, from: o.offset, to: o.offset, rows: 1 });
      if (o.ts < this.minTs) this.minTs = o.ts;
      if (o.ts > this.maxTs) this.maxTs = o.ts;
      if (this.rows.length >= this.opts.rollRows) done.push(await this.roll());
    }
    const timed = await this.tick();
    if (timed) done.push(timed);
    return done;
  }

  /** Rolls the open file when it is older than the interval; returns its manifest if it did. */
  async tick(): Promise<TrainingDataManifest | null> {
    if (this.rows.length === 0 || this.opts.rollIntervalMs <= 0) return null;
    if (this.now() - this.openedAt < this.opts.rollIntervalMs) return null;
    return this.roll();
  }

  /** Closes the open file now (no-op returning null when it is empty). */
  async flush(): Promise<TrainingDataManifest | null> {
    return this.rows.length === 0 ? null : this.roll();
  }

  private async roll(): Promise<TrainingDataManifest> {
    const { dir, prefix, format, columns } = this.opts;
    const seq = this.nextSequence;
    const base = `${prefix}-${String(seq).padStart(6, '0')}`;
    const file = `${base}.${EXT[format]}`;
    const encodedColumns = columns.map((c, i) => ({ name: c.name, kind: this.kinds[i]! }));
    const bytes = encodeRows(format, encodedColumns, this.rows);
    const checksum = new RowChecksum(this.kinds);
    for (const r of this.rows) checksum.add(r);
    const manifest: TrainingDataManifest = {
      format: MANIFEST_FORMAT,
      sequence: seq,
      file,
      fileFormat: format,
      bytes: bytes.length,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
      rowCount: this.rows.length,
      rowsChecksum: { algorithm: 'sha256', canonical: 'riffle-rows-v1', value: checksum.digest() },
      schema: columns.map(describeColumn),
      offsets: [...this.ranges.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)),
      eventTime: Number.isFinite(this.minTs) ? { min: this.minTs, max: this.maxTs } : null,
      createdAt: new Date(this.now()).toISOString(),
    };
    await writeDurably(join(dir, file), bytes);
    const manifestPath = join(dir, `${base}.manifest.json`);
    await writeDurably(manifestPath, Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
    this.nextSequence++;
    this.rows = [];
    this.ranges = new Map();
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    for (const l of this.listeners) l(manifest, manifestPath);
    return manifest;
  }
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = path + '.tmp';
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
