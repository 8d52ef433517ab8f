/** Nexmark-style bid records (~150 bytes of JSON) for benchmarks, deterministic. */
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

export function bidJson(i: number): string {
  const auction = 1000 + ((i * 7919) % 10_000);
  const bidder = 2000 + ((i * 104_729) % 50_000);
  const price = 100 + ((i * 31) % 100_000);
  return JSON.stringify({
    auction,
    bidder,
    price,
    channel: CHANNELS[i % 4],
    url: `https://www.nexmark.com/${(i % 977).toString(36)}/item.htm?query=1`,
    dateTime: 1_700_000_000_000 + i,
    extra: 'x'.repeat(8 + (i % 8)),
  });
}

export function bidBuffers(n: number): Buffer[] {
  const out = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) out[i] = Buffer.from(bidJson(i));
  return out;
}

/** The ceiling: JSON.parse + JSON.stringify of the same records (bytes in, bytes out), records/s. */
export function parseStringifyCeiling(buffers: readonly Buffer[]): number {
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const b of buffers) {
    const o = JSON.parse(b.toString('utf8'));
    sink += Buffer.from(JSON.stringify(o)).length;
  }
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink < 0) console.log(sink);
  return buffers.length / s;
}
