import fs from 'node:fs';
import { open } from 'lmdb';
const mode = process.argv[2];
if (mode === 'setup') {
  fs.rmSync('/tmp/st/c4', { recursive: true, force: true });
  fs.mkdirSync('/tmp/st/c4');
  const r = open({ path: '/tmp/st/c4/state.mdb', maxDbs: 8 });
  r.putSync('a', 1);
  await r.close();
  fs.writeFileSync('/tmp/st/c4/state.mdb-lock', Buffer.alloc(8192, 0x5a));
} else {
  const r = open({ path: '/tmp/st/c4/state.mdb', maxDbs: 8 });
  console.log('value', r.get('a'));
}
