const keys: Uint8Array[] = [];
for (let i = 0; i < 10000; i++) keys.push(Buffer.from('user-' + i));
function a(k: Uint8Array) { let s = ''; for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]); return s; }
function b(k: Uint8Array) { return Buffer.from(k.buffer, k.byteOffset, k.length).toString('latin1'); }
function c(k: Uint8Array) { return String.fromCharCode.apply(null, k as unknown as number[]); }
const latin1 = new TextDecoder('latin1');
function d(k: Uint8Array) { return (k as Buffer).latin1Slice(0, k.length); }
for (const [n, f] of [['loop', a], ['buffer', b], ['apply', c], ['latin1Slice', d], ['loop', a]] as const) {
  const m = new Map<string, number>();
  const t = performance.now();
  for (let i = 0; i < 2e6; i++) { const s = f(keys[i % 10000]); m.set(s, (m.get(s) ?? 0) + 1); }
  console.log(n, performance.now() - t);
}
