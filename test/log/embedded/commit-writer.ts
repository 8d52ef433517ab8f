/**
 * Child process for the kill -9 commit test: commits offsets of one group as fast as it can, each
 * commit setting all four partitions of two topics to the same number n (so a commit applied in
 * part shows as unequal offsets), and prints `n` after each commit returned. Starts from what the
 * group has committed. Runs until killed.
 */
import fs from 'node:fs';
import { GroupStore } from '../../../src/log/embedded/groups.ts';
import type { PartitionOffset } from '../../../src/log/log.ts';

if (process.argv[2] !== undefined) {
  const store = new GroupStore(process.argv[2], false);
  let n = store.get('g', 'a', 0) ?? 0;
  fs.writeSync(1, 'ready\n');
  for (;;) {
    n++;
    const offsets: PartitionOffset[] = [];
    for (const topic of ['a', 'b']) for (let p = 0; p < 4; p++) offsets.push({ topic, partition: p, offset: n });
    store.commit('g', offsets);
    fs.writeSync(1, `${n}\n`);
  }
}
