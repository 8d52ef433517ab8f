/**
 * PREDICT / ML_PREDICT: appends one STRUCT column per model call to each row. Per batch, each
 * call's arguments are evaluated for every row and the whole batch goes to the model's invoker in
 * one `invoke()` (which splits it into BATCH_SIZE requests, MAX_IN_FLIGHT at a time, retries and
 * keeps order); the batch's promise is the operator's backpressure.
 *
 * A row whose call failed (server down after retries, a NULL feature, a rejected input...) is
 * handled by the model's ON_ERROR policy, read live so ALTER MODEL applies to the next batch:
 * - FAIL: the batch fails, so the query stops with the reason before anything of the batch is
 *   written and before its offsets are committed: after a restart it resumes at this batch.
 * - SKIP: the row is dropped with a MODEL_ERROR entry in the processing log.
 * - ERROR_COLUMNS: the row is kept; its STRUCT has null outputs and ML_ERROR, ML_ERROR_CODE,
 *   ML_ATTEMPTS set (a query planned before ALTER MODEL switched to this policy has no such
 *   fields: its STRUCT is null and the reason goes to the processing log).
 * - DEAD_LETTER: the row goes to the model's dead-letter topic (see ml/dead-letter.ts), written
 *   with the batch's outputs before its offsets are committed.
 * Invariants: rows keep their input order; every input row is either emitted, or logged, or
 * dead-lettered, or the batch fails; rows with a null value pass through with null results and
 * are not sent to the model. The prior version a table row carries (`Row.prior`) is predicted
 * in the same batch, so downstream retractions see what the row had; a failed prior prediction
 * is NULL (error fields under ERROR_COLUMNS), except under FAIL, which fails the batch.
 */
import type { ModelCallSpec, ModelCallStep, SourceStep, Step } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileExpr } from '../expr/compile.ts';
import type { CompiledExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import type { ProducerRecord } from '../../log/log.ts';
import type { ProcessingLogEntry } from '../processing-log.ts';
import { expressionErrorSink } from './errors.ts';
import type { RowOutcome } from '../../ml/invoker.ts';
import type { OnErrorPolicy } from '../../ml/spec.ts';
import { ModelOpenError, ModelRegistry } from '../../ml/registry.ts';
import { ERROR_FIELDS, deadLetterTopicOf, hasErrorFields } from '../../ml/sql-model.ts';
import { deadLetterRecord, rowObject } from '../../ml/dead-letter.ts';

/** The error that fails a query under ON_ERROR = 'FAIL'. */
export class ModelCallFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCallFailedError';
  }
}

interface Call {
  readonly spec: ModelCallSpec;
  readonly label: string;
  readonly args: readonly CompiledExpr[];
  /** Names of the model's output fields in the call's STRUCT. */
  readonly outputs: readonly string[];
  /** ML_ERROR, ML_ERROR_CODE, ML_ATTEMPTS when the call was planned under ERROR_COLUMNS, else empty. */
  readonly errorFields: readonly string[];
}

/** A RowOutcome, or a failure before any request (model cannot be opened): codes are plain strings here. */
type Outcome = RowOutcome | { readonly kind: 'error'; readonly reason: string; readonly attempts: number; readonly code: string };

interface CallResult {
  readonly policy: OnErrorPolicy;
  readonly deadLetterTopic: string;
  readonly outcomes: readonly Outcome[];
}

type Report = Omit<ProcessingLogEntry, 'time' | 'level'> & { level?: 'ERROR' | 'WARN' };

/** The sources under `step` in FROM order (as build.ts numbers them: a row's `side` indexes this). */
function sourcesOf(step: Step): SourceStep[] {
  const out: SourceStep[] = [];
  const visit = (s: Step): void => {
    if (s.type === 'source') out.push(s);
    else if (s.type === 'join') {
      visit(s.left);
      visit(s.right);
    } else visit(s.input);
  };
  visit(step);
  return out;
}

export function modelCallOperator(step: ModelCallStep, ctx: OperatorContext): Operator {
  const registry = ModelRegistry.of(ctx.services);
  const onExprError = expressionErrorSink(ctx, step.name);
  const calls: Call[] = step.calls.map((c) => {
    const fields = c.outputType.kind === 'STRUCT' ? c.outputType.fields.map((f) => f.name) : [];
    const nErr = hasErrorFields(c.outputType) ? ERROR_FIELDS.length : 0;
    return {
      spec: c,
      label: c.version === null ? c.model : `${c.model}$${c.version}`,
      args: c.args.map((a) => compileExpr(a, getFunction, onExprError)),
      outputs: fields.slice(0, fields.length - nErr),
      errorFields: fields.slice(fields.length - nErr),
    };
  });
  const topics = sourcesOf(step).map((s) => s.binding.topic);
  const topicOf = (row: Row): string => topics[row.side ?? 0] ?? topics[0];
  const names = [...step.input.schema.key, ...step.input.schema.value].map((c) => c.name);
  const keyCount = step.input.schema.key.length;
  const ensured = new Set<string>();
  registry.attach(ctx.queryId, [...new Set(step.calls.map((c) => c.model))]);

  async function run(call: Call, rows: readonly Row[]): Promise<CallResult> {
    const { model, version, options } = call.spec;
    const spec = registry.spec(model, version, options);
    const policy = spec.onError;
    const deadLetterTopic = deadLetterTopicOf(model, spec);
    const features = rows.map((r) => call.args.map((a) => a(r)));
    try {
      const inv = await registry.invoker(model, version, options);
      const outcomes = await inv.invoke(features);
      return { policy, deadLetterTopic, outcomes: outcomes.map((o) => checkWidth(o, call)) };
    } catch (e) {
      const code = e instanceof ModelOpenError ? e.code : 'closed';
      const reason = (e as Error).message;
      return { policy, deadLetterTopic, outcomes: rows.map((): Outcome => ({ kind: 'error', reason, attempts: 0, code })) };
    }
  }

  const where = (row: Row) => `${topicOf(row)}/${row.partition}@${row.offset}`;

  /** A call's STRUCT for an outcome: the outputs; on error, the error fields (when planned) or null. */
  const structOf = (call: Call, o: Outcome): Record<string, unknown> | null => {
    if (o.kind === 'error' && call.errorFields.length === 0) return null;
    const s: Record<string, unknown> = {};
    call.outputs.forEach((name, i) => (s[name] = o.kind === 'ok' ? (o.outputs[i] ?? null) : null));
    if (call.errorFields.length > 0) {
      s[call.errorFields[0]] = o.kind === 'ok' ? null : o.reason;
      s[call.errorFields[1]] = o.kind === 'ok' ? null : o.code;
      s[call.errorFields[2]] = o.kind === 'ok' ? null : o.attempts;
    }
    return s;
  };

  return {
    name: step.name,
    async process(rows: Row[]): Promise<Row[]> {
      // One batch per call: the rows with a value, then the prior versions of table rows (their
      // predictions make retractions downstream exact: a filter on a prediction, an aggregate).
      const batch: Row[] = rows.filter((r) => !r.valueNull);
      const priorAt = new Map<Row, number>();
      for (const r of rows) {
        if (!Array.isArray(r.prior)) continue;
        priorAt.set(r, batch.length);
        batch.push({ ...r, cols: r.prior, valueNull: false, prior: undefined });
      }
      const results = batch.length > 0 ? await Promise.all(calls.map((c) => run(c, batch))) : [];

      // FAIL first: nothing of a failed batch may be emitted, logged or dead-lettered.
      results.forEach((res, j) => {
        if (res.policy !== 'FAIL') return;
        const k = res.outcomes.findIndex((o) => o.kind === 'error');
        if (k < 0) return;
        const o = res.outcomes[k] as Extract<Outcome, { kind: 'error' }>;
        const failed = res.outcomes.filter((x) => x.kind === 'error').length;
        throw new ModelCallFailedError(
          `Model ${calls[j].label} failed for the record at ${where(batch[k])}${failed > 1 ? ` (and ${failed - 1} more in the batch)` : ''}: ${o.reason}. ` +
            `ON_ERROR = 'FAIL' stops the query without committing this batch, so it resumes here after a restart; ` +
            `ON_ERROR = 'SKIP', 'ERROR_COLUMNS' or 'DEAD_LETTER' keeps it running.`,
        );
      });

      const out: Row[] = [];
      const reports: Report[] = [];
      const dead = new Map<string, ProducerRecord[]>();
      const withPrior = (row: Row, next: Row): Row => {
        const at = priorAt.get(row);
        return at === undefined ? next : { ...next, prior: [...(row.prior as unknown[]), ...calls.map((c, j) => structOf(c, results[j].outcomes[at]))] };
      };
      let k = 0;
      for (const row of rows) {
        if (row.valueNull) {
          out.push(withPrior(row, { ...row, cols: [...row.cols, ...calls.map(() => null)] }));
          continue;
        }
        const cols = row.cols.slice();
        let drop = false;
        for (let j = 0; j < calls.length; j++) {
          const call = calls[j];
          const res = results[j];
          const o = res.outcomes[k];
          if (o.kind === 'ok') {
            cols.push(structOf(call, o));
            continue;
          }
          const base = { type: 'MODEL_ERROR' as const, queryId: ctx.queryId, step: step.name, topic: topicOf(row), partition: row.partition, offset: row.offset };
          switch (res.policy) {
            case 'FAIL': // handled above
            case 'SKIP':
              drop = true;
              cols.push(null);
              reports.push({ ...base, reason: `Model ${call.label}: ${o.reason} (ON_ERROR = 'SKIP': row dropped)` });
              break;
            case 'DEAD_LETTER': {
              drop = true;
              cols.push(null);
              const rec = deadLetterRecord(
                {
                  queryId: ctx.queryId,
                  step: step.name,
                  model: call.spec.model,
                  version: call.spec.version,
                  reason: o.reason,
                  code: o.code,
                  attempts: o.attempts,
                  topic: topicOf(row),
                  partition: row.partition,
                  offset: row.offset,
                  timestamp: row.ts,
                  row: rowObject(names, row.cols),
                },
                keyCount > 0 ? rowObject(names, row.cols, 0, keyCount) : null,
              );
              let list = dead.get(res.deadLetterTopic);
              if (!list) dead.set(res.deadLetterTopic, (list = []));
              list.push(rec);
              break;
            }
            case 'ERROR_COLUMNS':
              cols.push(structOf(call, o));
              if (call.errorFields.length === 0) {
                reports.push({
                  ...base,
                  level: 'WARN',
                  reason: `Model ${call.label}: ${o.reason} (ON_ERROR = 'ERROR_COLUMNS', but this query was planned without error columns: result NULL)`,
                });
              }
              break;
          }
        }
        k++;
        if (!drop) out.push(withPrior(row, { ...row, cols }));
      }
      for (const [t, records] of dead) {
        if (!ensured.has(t)) {
          await ctx.log.ensureTopic(t, { partitions: 1 });
          ensured.add(t);
        }
        ctx.sideOutput(t, records);
      }
      for (const r of reports) ctx.errors.report(r);
      return out;
    },
    close() {
      registry.detach(ctx.queryId);
    },
  };
}

/** An answer with a different number of outputs than the plan expects is an error, never a misaligned row. */
function checkWidth(o: RowOutcome, call: Call): Outcome {
  if (o.kind !== 'ok' || o.outputs.length === call.outputs.length) return o;
  return { kind: 'error', reason: `model ${call.label} answered ${o.outputs.length} outputs, the query expects ${call.outputs.length}`, attempts: 0, code: 'malformed' };
}
