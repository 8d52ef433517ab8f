/**
 * Options of CREATE PIPELINE that are more than a literal: the runs' PARAMETERS (a map literal or
 * a JSON string) and the promotion rule (the PROMOTE WHEN clause or the PROMOTE_WHEN option).
 */
import type { CreatePipeline, Literal, PromoteWhen } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { PropertyReader } from './properties.ts';
import { parsePromoteWhen, promotionRule, type PromotionRule } from '../ml/promotion/shadow.ts';

/**
 * The runs' parameters: PARAMETERS as a map literal (values keep their SQL type: numbers stay
 * numbers in runtime_config.parameters) or as a JSON object in a string (the older spelling).
 */
export function runParameters(s: CreatePipeline, json: Literal | undefined): Record<string, unknown> {
  if (s.parameters) return Object.fromEntries(s.parameters.entries.map((e) => [e.key, literalValue(e.value)]));
  if (!json || json.type === 'NULL') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.raw);
  } catch (e) {
    throw new SqlError('INVALID', `PARAMETERS must be a map (MAP['k', v, ...] or MAP('k' := v, ...)) or a JSON object of the run's parameters: ${(e as Error).message}`, json.span);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SqlError('INVALID', `PARAMETERS must be a map (MAP['k', v, ...] or MAP('k' := v, ...)) or a JSON object of the run's parameters: not an object`, json.span);
  return parsed as Record<string, unknown>;
}

/** A literal's value as a KFP parameter (a protobuf Value: string, number, bool or null). */
function literalValue(l: Literal): unknown {
  switch (l.type) {
    case 'NULL':
      return null;
    case 'BOOLEAN':
      return l.raw.toUpperCase() === 'TRUE';
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE':
      return Number(l.raw);
    case 'STRING':
    case 'BYTES':
      return l.raw;
  }
}

/** The PROMOTE WHEN clause, or the PROMOTE_WHEN option (its older spelling), or the default rule. */
export function promotionRuleOf(s: CreatePipeline, p: PropertyReader): PromotionRule {
  if (s.promoteWhen && p.has('PROMOTE_WHEN')) throw new SqlError('INVALID', `Give either the PROMOTE WHEN clause or the PROMOTE_WHEN option, not both`, s.promoteWhen.span);
  if (s.promoteWhen) return ruleOfClause(s.promoteWhen);
  try {
    return parsePromoteWhen(p.string('PROMOTE_WHEN') ?? 'ACCURACY BETTER BY 0 AFTER 200 ROWS');
  } catch (e) {
    throw new SqlError('INVALID', (e as Error).message, p.literal('PROMOTE_WHEN')?.span ?? s.span);
  }
}

/** A parsed PROMOTE WHEN clause as a rule; an unknown metric is reported at the metric. */
export function ruleOfClause(c: PromoteWhen): PromotionRule {
  try {
    return promotionRule(c.metric, c.by, c.relative, c.afterRows);
  } catch (e) {
    throw new SqlError('INVALID', (e as Error).message, c.metricSpan);
  }
}

