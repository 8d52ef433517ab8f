/**
 * Options of CREATE PIPELINE that are more than a literal: the runs' PARAMETERS (a map literal or
 * a JSON string), the promotion rule (the PROMOTE WHEN clause or the PROMOTE_WHEN option) and an
 * S3-compatible training-data target.
 */
import type { CreatePipeline, Literal, PromoteWhen } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { PropertyReader } from './properties.ts';
import { parsePromoteWhen, promotionRule, type PromotionRule } from '../ml/promotion/shadow.ts';
import { parseS3Uri, type S3Target } from '../ml/training-data/s3.ts';

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


/**
 * TRAINING_DATA = 's3://bucket/prefix': the S3-compatible target (S3_ENDPOINT required; S3_REGION
 * default us-east-1; credentials S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, else the environment's
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN). Null for a local directory.
 */
export function s3TargetOf(s: CreatePipeline, p: PropertyReader): S3Target | null {
  const at = (name: string) => p.literal(name)?.span ?? s.span;
  const dir = p.string('TRAINING_DATA');
  const s3Options = ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
  if (dir === null || !/^s3:\/\//i.test(dir)) {
    for (const k of s3Options) if (p.has(k)) throw new SqlError('INVALID', `${k} is for an S3 target: TRAINING_DATA = 's3://bucket/prefix'`, at(k));
    return null;
  }
  const uri = parseS3Uri(dir);
  if (!uri) throw new SqlError('INVALID', `TRAINING_DATA '${dir}': expected s3://<bucket>/<prefix> (bucket names: 3-63 lower-case letters, digits, '.', '-')`, at('TRAINING_DATA'));
  const endpoint = p.string('S3_ENDPOINT');
  if (!endpoint || !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new SqlError('INVALID', `An S3 TRAINING_DATA needs S3_ENDPOINT = 'http(s)://host:port' (the S3-compatible service)`, at(endpoint ? 'S3_ENDPOINT' : 'TRAINING_DATA'));
  const accessKeyId = p.string('S3_ACCESS_KEY_ID') ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = p.string('S3_SECRET_ACCESS_KEY') ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new SqlError('INVALID', `An S3 TRAINING_DATA needs credentials: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the server's environment)`, at('TRAINING_DATA'));
  return { endpoint, region: p.string('S3_REGION') ?? process.env.AWS_REGION ?? 'us-east-1', ...uri, accessKeyId, secretAccessKey, ...(process.env.AWS_SESSION_TOKEN && !p.has('S3_ACCESS_KEY_ID') ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) };
}
