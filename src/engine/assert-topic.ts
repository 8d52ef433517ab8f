/**
 * ASSERT [NOT EXISTS] TOPIC (ksqlDB 0.27's statement, which its migrations tool runs before the
 * statements that need a topic): the topic exists (with the partitions and replicas the WITH
 * clause names) or does not, checked every RETRY_MS until the timeout (TIMEOUT, else
 * `ksql.assert.topic.default.timeout.ms`, 1000 ms); otherwise the statement fails with what the
 * last check found, in ksqlDB's words.
 */
import type { AssertTopic } from '../sql/ast.ts';
import type { Literal } from '../sql/ast-expr.ts';
import { SqlError } from '../sql/errors.ts';
import { durationMs } from '../analyze/aggregate.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { nonNegativeIntegerProperty } from './properties.ts';

const RETRY_MS = 100;
const DEFAULT_TIMEOUT_MS = 1000;

/** Why the topic is not as asserted, or null when it is. */
async function problem(ctx: ExecutionContext, s: AssertTopic): Promise<string | null> {
  const topic = await ctx.engine.log.describeTopic(s.topic);
  if (!s.exists) return topic === null ? null : `Topic ${s.topic} exists`;
  if (topic === null) return `Topic ${s.topic} does not exist`;
  const errors: string[] = [];
  for (const [key, literal] of s.properties) {
    const name = key.toLowerCase();
    const actual = name === 'partitions' ? topic.partitions : name === 'replicas' ? topic.replicationFactor : null;
    if (actual === null) errors.push(`Cannot assert unknown topic property: ${key}`);
    else if (!matches(literal, actual)) errors.push(`Mismatched configuration for topic ${s.topic}: For config ${name}, expected ${literal.raw} got ${actual}`);
  }
  return errors.length > 0 ? errors.join('\n') : null;
}

/** ksqlDB compares an INTEGER literal only (a string '3' never matches). */
function matches(literal: Literal, actual: number): boolean {
  return literal.type === 'INTEGER' && Number(literal.raw) === actual;
}

export async function assertTopic(ctx: ExecutionContext, s: AssertTopic): Promise<StatementResult> {
  const timeoutMs = s.timeout ? durationMs(s.timeout) : nonNegativeIntegerProperty(ctx.engine.properties, ['ksql.assert.topic.default.timeout.ms'], 'ms', DEFAULT_TIMEOUT_MS);
  // As ksqlDB's RetryUtil: a first check, then one every RETRY_MS, timeout / RETRY_MS of them.
  for (let retries = Math.floor(timeoutMs / RETRY_MS); ; retries--) {
    const found = await problem(ctx, s);
    if (found === null) break;
    if (retries <= 0) throw new SqlError('ASSERTION', found, s.span);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  return { kind: 'message', message: `Topic ${s.topic} ${s.exists ? 'exists' : 'does not exist'}` };
}
