import fs from 'node:fs';
import { open } from 'lmdb';
const mode = process.argv[2];
fs.rmSync('/tmp/st/c2', { recursive: true, force: true });
fs.mkdirSync('/tmp/st/c2');
if (mode === 'zeros') fs.writeFileSync('/tmp/st/c2/state.mdb', Buffer.alloc(64 * 1024, 0));
if (mode === '5a') fs.writeFileSync('/tmp/st/c2/state.mdb', Buffer.alloc(64 * 1024, 0x5a));
if (mode === 'short') fs.writeFileSync('/tmp/st/c2/state.mdb', Buffer.from('hello'));
try { const r = open({ path: '/tmp/st/c2/state.mdb', maxDbs: 8, ...(process.argv[3] ? JSON.parse(process.argv[3]) : {}) }); console.log('opened'); const d = r.openDB({name: 'm'}); console.log('db ok', d.get('x')); } catch (err) { console.log('threw', (err as Error).message); }
