import fs from 'node:fs';
import { LmdbEnv } from '../../../src/state/lmdb-store.ts';
fs.rmSync('/tmp/st/c', { recursive: true, force: true });
const e = LmdbEnv.open('/tmp/st/c');
const s = e.store('x'); s.put(Buffer.from('a'), 1); await s.flush(); await e.close();
fs.writeFileSync('/tmp/st/c/state.mdb', Buffer.alloc(64 * 1024, 0x5a));
console.log('reopen');
try { const e2 = LmdbEnv.open('/tmp/st/c'); console.log('opened?!', e2.incarnation); } catch (err) { console.log('threw', (err as Error).message); }
