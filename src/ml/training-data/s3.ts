/**
 * The S3-compatible target of the training-data sink: every committed file is copied to a bucket
 * (path-style addressing, `<endpoint>/<bucket>/<key>`, as MinIO, Ceph, moto and AWS itself accept;
 * requests signed with AWS Signature V4 by aws4fetch).
 *
 * The local directory stays the record (its commit protocol is writer.ts's); the bucket is a copy
 * with the same commit marker: the data file is PUT first, its manifest last, so a manifest in the
 * bucket always names a complete data file. Uploads run one at a time in commit order and are
 * retried with backoff until they succeed; PUT of the same key with the same bytes is idempotent,
 * so after a crash `pending` (manifests whose object is missing) are uploaded again. A file is
 * handed on (`onUploaded`) only once its manifest is in the bucket: a run never gets a manifest
 * that is not there yet.
 */
import { AwsClient } from 'aws4fetch';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface S3Target {
  /** `http(s)://host:port` of the S3-compatible service. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix ('' or ending in '/'). */
  readonly prefix: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** `s3://bucket/some/prefix` -> bucket and key prefix (ending in '/' unless empty); null if not an s3 URI. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } | null {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) return null;
  const p = (m[2] ?? '').replace(/^\/+/, '');
  return { bucket: m[1]!, prefix: p === '' || p.endsWith('/') ? p : `${p}/` };
}

export class S3Uploader {
  private readonly target: S3Target;
  private readonly client: AwsClient;
  private readonly backoffMs: number;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly listeners: ((manifestPath: string, uri: string) => void)[] = [];
  /** The last failure (cleared by the next success), for DESCRIBE. */
  lastError: string | null = null;

  constructor(target: S3Target, backoffMs = 1000) {
    this.target = target;
    this.backoffMs = backoffMs;
    this.client = new AwsClient({ accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey, sessionToken: target.sessionToken, service: 's3', region: target.region });
  }

  /** `s3://bucket/prefix<name>`. */
  uriOf(name: string): string {
    return `s3://${this.target.bucket}/${this.target.prefix}${name}`;
  }

  onUploaded(listener: (manifestPath: string, uri: string) => void): void {
    this.listeners.push(listener);
  }

  /** Queues a committed file (by its local manifest path): uploaded after those queued before it. */
  enqueue(manifestPath: string, dataFile: string): void {
    this.chain = this.chain.then(() => this.uploadRetrying(manifestPath, dataFile));
  }

  /** Queues the committed files whose manifest is not in the bucket yet; the others are handed on as they are. */
  resume(committed: readonly { path: string; file: string }[]): void {
    for (const c of committed) {
      this.chain = this.chain.then(async () => {
        for (let attempt = 0; !this.stopped; attempt++) {
          try {
            if (await this.exists(basename(c.path))) return this.handOn(c.path);
            return await this.uploadRetrying(c.path, c.file);
          } catch (e) {
            await this.failed(c.path, e, attempt);
          }
        }
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }

  private async uploadRetrying(manifestPath: string, dataFile: string): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.put(dataFile, await readFile(join(dirname(manifestPath), dataFile)));
        await this.put(basename(manifestPath), await readFile(manifestPath));
        this.lastError = null;
        this.handOn(manifestPath);
        return;
      } catch (e) {
        await this.failed(manifestPath, e, attempt);
      }
    }
  }

  private async failed(manifestPath: string, e: unknown, attempt: number): Promise<void> {
    this.lastError = `upload of ${basename(manifestPath)} to ${this.uriOf('')}: ${(e as Error).message} (attempt ${attempt + 1}, retrying)`;
    await new Promise((r) => setTimeout(r, Math.min(this.backoffMs * 2 ** Math.min(attempt, 5), 30_000)));
  }

  private handOn(manifestPath: string): void {
    const uri = this.uriOf(basename(manifestPath));
    for (const l of this.listeners) l(manifestPath, uri);
  }

  private url(name: string): string {
    const key = `${this.target.prefix}${name}`.split('/').map(encodeURIComponent).join('/');
    return `${this.target.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(this.target.bucket)}/${key}`;
  }

  private async put(name: string, body: Uint8Array): Promise<void> {
    const res = await this.client.fetch(this.url(name), { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`PUT ${name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    await res.arrayBuffer().catch(() => undefined);
  }

  private async exists(name: string): Promise<boolean> {
    const res = await this.client.fetch(this.url(name), { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`HEAD ${name} answered ${res.status}`);
    return true;
  }
}
