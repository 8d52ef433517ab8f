/**
 * Turns output tensors (from V2 JSON or an ONNX session) into per-row output values, checking
 * shapes strictly: a tensor whose first dimension is not the number of rows sent, whose data does
 * not fill its shape, or whose width does not fit the declared column type is a DecodeError.
 */
import type { ModelColumn } from './spec.ts';
import type { ModelSchema } from './schema.ts';
import { bindOutputs } from './schema.ts';
import { DecodeError, decodeScalar } from './tensor.ts';

/** An output tensor with its data flat, row-major. */
export interface OutputTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<unknown>;
}

/** Flattens row-major nested arrays (V2 allows `data` flat or nested). */
export function flatten(data: readonly unknown[]): unknown[] {
  if (!data.some(Array.isArray)) return data as unknown[];
  const out: unknown[] = [];
  const walk = (xs: readonly unknown[]): void => {
    for (const x of xs) if (Array.isArray(x)) walk(x);
      else out.push(x);
  };
  walk(data);
  return out;
}

/** Per-row values of one column from one tensor. */
export function columnFromTensor(t: OutputTensor, col: ModelColumn, rows: number): unknown[] {
  const shape = t.shape;
  if (shape.length === 0) throw new DecodeError(`output ${t.name} is a scalar, expected one value per row (${rows} rows)`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new DecodeError(`output ${t.name} has invalid shape [${shape.join(', ')}]`);
  if (shape[0] !== rows) throw new DecodeError(`output ${t.name} has ${shape[0]} rows (shape [${shape.join(', ')}]), ${rows} were sent`);
  let width = 1;
  for (let i = 1; i < shape.length; i++) width *= shape[i];
  if (t.data.length !== rows * width) {
    throw new DecodeError(`output ${t.name} has ${t.data.length} values for shape [${shape.join(', ')}] (want ${rows * width})`);
  }
  const isArray = col.type.kind === 'ARRAY';
  if (!isArray && width !== 1) {
    throw new DecodeError(`output ${t.name} has ${width} values per row, but column ${col.name} is a scalar: declare it ARRAY<...>`);
  }
  const out: unknown[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const where = `output ${t.name} row ${r}`;
    if (isArray) {
      const vec: unknown[] = new Array(width);
      for (let k = 0; k < width; k++) vec[k] = t.data[r * width + k];
      out[r] = decodeScalar(vec, col.type, where);
    } else {
      out[r] = decodeScalar(t.data[r], col.type, where);
    }
  }
  return out;
}

/** Output rows (one value per output column) from a response's tensors. */
export function rowsFromTensors(schema: ModelSchema, tensors: readonly OutputTensor[], rows: number): unknown[][] {
  let bound: number[];
  try {
    bound = bindOutputs(schema, tensors.map((t) => t.name));
  } catch (e) {
    throw new DecodeError((e as Error).message);
  }
  const cols = schema.outputs.map((c, j) => columnFromTensor(tensors[bound[j]], c, rows));
  const out: unknown[][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = cols.map((c) => c[r]);
  return out;
}
