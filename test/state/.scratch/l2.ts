import { open } from 'lmdb';
import fs from 'node:fs';
fs.rmSync('/tmp/st/db2', { recursive: true, force: true });
fs.mkdirSync('/tmp/st/db2', { recursive: true });
const env = open({ path: '/tmp/st/db2/state.mdb', maxDbs: 64 });
const db = env.openDB({ name: 'a', keyEncoding: 'binary', encoding: 'binary' });
try { db.putSync(Buffer.alloc(0), Buffer.from([1])); console.log('empty key ok', db.getBinary(Buffer.alloc(0))); } catch (e) { console.log('empty key', (e as Error).message); }
try { db.putSync(Buffer.alloc(3000, 1), Buffer.from([1])); console.log('3000 key ok'); } catch (e) { console.log('big key', (e as Error).message); }
try { db.putSync(Buffer.alloc(1978, 1), Buffer.from([1])); console.log('1978 key ok'); } catch (e) { console.log('1978 key', (e as Error).message); }
try { db.putSync(new Uint8Array([1,2]), new Uint8Array([5])); console.log('u8 ok', db.getBinary(new Uint8Array([1,2]) as Buffer)); } catch (e) { console.log('u8', (e as Error).message); }
db.putSync(Buffer.from('k1'), Buffer.from([1]));
await db.transaction(() => { db.clearSync(); db.putSync(Buffer.from('k2'), Buffer.from([2])); });
console.log('after clear in tx', [...db.getKeys()].map(String));
// visibility right after commit
const p = db.transaction(() => { db.putSync(Buffer.from('k3'), Buffer.from([3])); });
console.log('before', db.getBinary(Buffer.from('k3')));
await p;
console.log('after', db.getBinary(Buffer.from('k3')));
for (const k of [...db.getRange({})]) console.log(k.key, k.value);
console.log(typeof db.flushed?.then);
await db.flushed;
// range values buffer reuse?
const vals = [...db.getRange({})].map((e) => e.value);
console.log(vals);
await env.close();
