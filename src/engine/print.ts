/** PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]: the raw records of a topic, as text. */
import type { Print } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { ConsumedRecord } from '../log/log.ts';
import type { ExecutionContext } from './context.ts';
import type { PrintHandle, StatementResult } from './results.ts';

export async function printTopic(ctx: ExecutionContext, s: Print): Promise<StatementResult> {
  const { engine } = ctx;
  if (ctx.replay) return { kind: 'message', message: '' };
  const topic = (await engine.log.describeTopic(s.topic)) ?? (await engine.log.describeTopic(s.topic.toLowerCase()));
  if (!topic) throw new SqlError('UNKNOWN_SOURCE', `Could not find topic '${s.topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.`, s.span);
  let stopped = false;
  let started = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const handle: PrintHandle = {
    onLine: () => undefined,
    onEnd: () => undefined,
    start() {
      if (started) return;
      started = true;
      const consumer = engine.log.consumer({ groupId: `riffle-print-${process.pid}-${Date.now()}`, topics: [topic.name], fromBeginning: s.fromBeginning });
      void (async () => {
        let error: Error | null = null;
        let seen = 0;
        let printed = 0;
        const every = s.interval ?? 1;
        try {
          while (!stopped) {
            const batch = await consumer.poll(500, 200);
            for (const r of batch) {
              if (seen++ % every !== 0) continue;
              handle.onLine(formatRecord(r));
              printed++;
              if (s.limit !== null && printed >= s.limit) {
                stopped = true;
                break;
              }
            }
          }
        } catch (e) {
          error = e as Error;
        }
        await consumer.close().catch(() => undefined);
        handle.onEnd(error);
        resolveDone();
      })();
    },
    async stop() {
      stopped = true;
      // Stopped before it was started: nothing runs that would end it.
      if (!started) {
        started = true;
        handle.onEnd(null);
        resolveDone();
      }
      await done;
    },
    done,
  };
  return { kind: 'print', print: handle };
}

/** ksqlDB's PRINT line: `rowtime: 2026/11/24 10:00:00.000 Z, key: 1, value: {...}, partition: 0`. */
export function formatRecord(r: ConsumedRecord): string {
  const d = new Date(r.timestamp);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} Z`;
  const text = (b: Uint8Array | null) => (b === null ? '<null>' : printable(b));
  const headers = r.headers.length ? `, headers: [${r.headers.map((h) => `${h.key}=${text(h.value)}`).join(', ')}]` : '';
  return `rowtime: ${time}, key: ${text(r.key)}, value: ${text(r.value)}, partition: ${r.partition}${headers}`;
}

function printable(b: Uint8Array): string {
  const s = Buffer.from(b).toString('utf8');
  // Binary keys (KAFKA-format numbers) are shown as hex rather than as garbage.
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(s) ? `0x${Buffer.from(b).toString('hex')}` : s;
}
