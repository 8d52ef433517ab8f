/** CREATE / ALTER / DROP / DESCRIBE MODEL and SHOW MODELS: placeholder until the model integration lands. */
import type { AlterModel, CreateModel, DescribeModel, DropModel } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { ExecutionContext } from './engine.ts';
import type { StatementResult } from './results.ts';

type ModelStatement = CreateModel | AlterModel | DropModel | DescribeModel;

export async function executeModelStatement(_ctx: ExecutionContext, s: ModelStatement): Promise<StatementResult> {
  throw new SqlError('UNSUPPORTED', 'Models are not available yet in this build', s.span);
}

export function showModels(_ctx: ExecutionContext): StatementResult {
  return { kind: 'table', title: 'Models', columns: ['Model Name', 'Provider', 'Endpoint'], rows: [] };
}
