import fs from 'node:fs';
import { open } from 'lmdb';
const n = Number(process.argv[2]);
fs.rmSync('/tmp/st/c5', { recursive: true, force: true });
fs.mkdirSync('/tmp/st/c5');
{
  const r = open({ path: '/tmp/st/c5/state.mdb', maxDbs: 8 });
  const d = r.openDB({ name: 'x' });
  for (let i = 0; i < 2000; i++) d.putSync('k' + i, 'v'.repeat(100));
  await r.close();
}
const b = fs.readFileSync('/tmp/st/c5/state.mdb');
console.log('size', b.length);
fs.writeFileSync('/tmp/st/c5/state.mdb', b.subarray(0, n));
const r = open({ path: '/tmp/st/c5/state.mdb', maxDbs: 8 });
const d = r.openDB({ name: 'x' });
let c = 0; for (const _ of d.getKeys()) c++;
console.log('keys', c);
