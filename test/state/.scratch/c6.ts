import fs from 'node:fs';
import { open } from 'lmdb';
import { checkLmdbFile } from '../../../src/state/lmdb-file-check.ts';
fs.rmSync('/tmp/st/c6', { recursive: true, force: true });
fs.mkdirSync('/tmp/st/c6');
const f = '/tmp/st/c6/state.mdb';
const r = open({ path: f, maxDbs: 8 });
console.log('fresh', checkLmdbFile(f), fs.statSync(f).size);
const d = r.openDB({ name: 'x' });
for (let round = 0; round < 5; round++) {
  await d.transaction(() => { for (let i = 0; i < 20000; i++) d.putSync('k' + i + 'r' + round, 'v'.repeat(100 + round * 300)); });
  console.log('r', round, checkLmdbFile(f), fs.statSync(f).size);
  await d.transaction(() => { for (let i = 0; i < 20000; i += 2) d.removeSync('k' + i + 'r' + round); });
  console.log('d', round, checkLmdbFile(f), fs.statSync(f).size);
}
await d.clearAsync();
console.log('cleared', checkLmdbFile(f), fs.statSync(f).size);
await r.close();
console.log('closed', checkLmdbFile(f));
const b = fs.readFileSync(f);
for (const n of [5, 4096, 8192, 100000, b.length - 4096]) { fs.writeFileSync('/tmp/st/c6/t.mdb', b.subarray(0, n)); console.log(n, checkLmdbFile('/tmp/st/c6/t.mdb')); }
fs.writeFileSync('/tmp/st/c6/t.mdb', Buffer.alloc(64 * 1024, 0x5a)); console.log('5a', checkLmdbFile('/tmp/st/c6/t.mdb'));
fs.writeFileSync('/tmp/st/c6/t.mdb', Buffer.alloc(64 * 1024, 0)); console.log('zeros', checkLmdbFile('/tmp/st/c6/t.mdb'));
