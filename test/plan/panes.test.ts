/**
 * Which HOPPING aggregations are kept by panes (src/plan/panes.ts): exact, order-free merges only,
 * EMIT CHANGES over a stream without HAVING, windows of 2 to 8 panes; and the pane length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paneLength, type PaneOptions } from '../../src/plan/panes.ts';
import type { AggregateCall, WindowPlan } from '../../src/analyze/output.ts';
import type { SqlType } from '../../src/types/sql-type.ts';

const call = (name: string, arg?: SqlType['kind']): AggregateCall => ({
  name,
  args: [],
  argTypes: arg ? [{ kind: arg } as SqlType] : [],
  literals: [],
  returnType: { kind: 'BIGINT' },
});
const hopping = (sizeMs: number, advanceMs: number, emitFinal = false): WindowPlan => ({
  info: { kind: 'HOPPING', sizeMs, advanceMs },
  graceMs: 0,
  retentionMs: sizeMs,
  emitFinal,
});
const opts = (o: Partial<PaneOptions>): PaneOptions => ({ window: hopping(10_000, 2000), aggregates: [call('COUNT')], withPrior: false, inputIsTable: false, ...o });

test('the pane is the gcd of size and advance', () => {
  assert.equal(paneLength(opts({})), 2000);
  assert.equal(paneLength(opts({ window: hopping(9000, 6000) })), 3000);
  assert.equal(paneLength(opts({ window: hopping(10_000, 4000) })), 2000);
});

test('exact, order-free aggregates only', () => {
  for (const ok of [call('COUNT'), call('COUNT', 'STRING'), call('SUM', 'INTEGER'), call('SUM', 'BIGINT'), call('MIN', 'STRING'), call('MAX', 'TIMESTAMP'), call('MAX', 'BIGINT')]) {
    assert.equal(paneLength(opts({ aggregates: [ok, call('COUNT')] })), 2000, JSON.stringify(ok));
  }
  for (const no of [call('SUM', 'DOUBLE'), call('SUM', 'DECIMAL'), call('AVG', 'INTEGER'), call('MIN', 'DOUBLE'), call('COLLECT_LIST', 'BIGINT'), call('COUNT_DISTINCT', 'STRING'), call('LATEST_BY_OFFSET', 'BIGINT')]) {
    assert.equal(paneLength(opts({ aggregates: [call('COUNT'), no] })), null, JSON.stringify(no));
  }
});

test('window by window: EMIT FINAL, HAVING, table input, one pane per window, more than 8', () => {
  assert.equal(paneLength(opts({ window: hopping(10_000, 2000, true) })), null);
  assert.equal(paneLength(opts({ withPrior: true })), null);
  assert.equal(paneLength(opts({ inputIsTable: true })), null);
  assert.equal(paneLength(opts({ window: hopping(10_000, 10_000) })), null);
  assert.equal(paneLength(opts({ window: hopping(10_000, 1000) })), null);
  assert.equal(paneLength(opts({ window: hopping(8000, 1000) })), 1000);
  assert.equal(paneLength(opts({ window: { info: { kind: 'TUMBLING', sizeMs: 10_000 }, graceMs: 0, retentionMs: 0, emitFinal: false } })), null);
  assert.equal(paneLength(opts({ window: null })), null);
});
