/** EXPORT MODEL m [VERSION n] TO 'file.onnx': a trained model (one without PARTITION BY) as an ONNX file (ml/learn/onnx-export.ts). */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportModel } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { trainedRegistry } from './model-train.ts';
import { resolveTrained } from '../ml/learn/client.ts';
import { exportOnnx } from '../ml/learn/onnx-export.ts';

export async function exportModel(ctx: ExecutionContext, s: ExportModel): Promise<StatementResult> {
  const reg = trainedRegistry(ctx.engine);
  const def = reg.definitions.get(s.name) ?? reg.definitions.get(s.name.toUpperCase());
  if (!def) throw new SqlError('INVALID', `Model '${s.name}' is not a trained model (EXPORT MODEL exports models trained by CREATE MODEL ... AS SELECT)`, s.span);
  if (def.keyNames.length > 0) throw new SqlError('UNSUPPORTED', `model ${def.name} has one model per ${def.keyNames.join(', ')} (PARTITION BY): export is for a single model`, s.span);
  let resolved;
  try {
    resolved = resolveTrained(reg, def.name, '', s.version === null ? null : String(s.version));
  } catch (e) {
    throw new SqlError('INVALID', (e as Error).message, s.span);
  }
  if (!resolved) throw new SqlError('INVALID', `model ${def.name} has not learned a row yet`, s.span);
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(resolved.state, resolved.space.names, def.name);
  } catch (e) {
    throw new SqlError('UNSUPPORTED', `model ${def.name} (${def.options.learn.type}) cannot be exported to ONNX: ${(e as Error).message}`, s.span);
  }
  const file = path.resolve(s.path);
  try {
    fs.writeFileSync(file, bytes);
  } catch (e) {
    throw new SqlError('INVALID', `cannot write ${file}: ${(e as Error).message}`, s.span);
  }
  return { kind: 'message', message: `Exported model ${def.name}${s.version !== null ? ` version ${s.version}` : ''} to ${file} (${bytes.length} bytes; input X: ${resolved.space.names.join(', ')}).` };
}
