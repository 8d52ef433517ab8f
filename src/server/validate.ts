/** Request-body checks: a JSON object with only known fields (400 in ksqlDB's error shape otherwise). */
import { badRequest } from './errors.ts';

export function expectObject(v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest('The request body must be a JSON object');
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw badRequest(`Unknown field '${k}' (known: ${allowed.join(', ')})`);
  }
  return v as Record<string, unknown>;
}
