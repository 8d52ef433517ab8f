/**
 * V2 tensors: request inputs decoded into rows of model input values, and output columns encoded
 * as response tensors. Shapes are checked against the data (product of dims = values), and each
 * value against its datatype; a violation is a V2Error 400 that names the tensor.
 */

/** An input or output column of a served model, as a V2 tensor per batch. */
export interface ServedColumn {
  readonly name: string;
  /** V2 datatype: FP64, INT64, INT32, BOOL, BYTES. */
  readonly datatype: string;
  /** Per-row shape ([] scalar, [k] array). */
  readonly rowShape: readonly number[];
}

export class V2Error extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Tensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
  readonly data: unknown[];
}

const NUMERIC = new Set(['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const KNOWN = new Set([...NUMERIC, 'BOOL', 'BYTES']);

function flatten(data: unknown, out: unknown[]): void {
  if (Array.isArray(data)) for (const d of data) flatten(d, out);
  else out.push(data);
}

interface InputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
  readonly values: unknown[];
}

function readTensor(t: unknown, i: number): InputTensor {
  if (typeof t !== 'object' || t === null) throw new V2Error(400, `inputs[${i}] must be an object with name, shape, datatype and data`);
  const { name, shape, datatype, data } = t as Record<string, unknown>;
  if (typeof name !== 'string') throw new V2Error(400, `inputs[${i}].name must be a string`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new V2Error(400, `input ${name}: shape must be an array of non-negative integers`);
  if (typeof datatype !== 'string' || !KNOWN.has(datatype)) throw new V2Error(400, `input ${name}: unknown datatype ${JSON.stringify(datatype)}`);
  if (data === undefined) throw new V2Error(400, `input ${name}: "data" is missing`);
  const values: unknown[] = [];
  flatten(data, values);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new V2Error(400, `input ${name}: shape [${shape.join(', ')}] holds ${size} values, data has ${values.length}`);
  for (const v of values) {
    const ok = NUMERIC.has(datatype) ? typeof v === 'number' && Number.isFinite(v) : datatype === 'BOOL' ? typeof v === 'boolean' : typeof v === 'string';
    if (!ok) throw new V2Error(400, `input ${name}: ${JSON.stringify(v)} is not a valid ${datatype} value`);
  }
  return { name, datatype, shape: shape as number[], values };
}

/** Rows of model input values from the request's `inputs`. */
export function parseInferInputs(raw: unknown, columns: readonly ServedColumn[]): unknown[][] {
  if (!Array.isArray(raw) || raw.length === 0) throw new V2Error(400, '"inputs" must be a non-empty array of tensors');
  const tensors = raw.map(readTensor);
  const k = columns.length;
  // One [N, k] matrix of all inputs.
  if (tensors.length === 1 && k > 1 && !columns.some((c) => c.name.toUpperCase() === tensors[0].name.toUpperCase())) {
    const t = tensors[0];
    if (t.shape.length !== 2 || t.shape[1] !== k) throw new V2Error(400, `input ${t.name}: expected shape [N, ${k}] (one column per model input: ${columns.map((c) => c.name).join(', ')}), got [${t.shape.join(', ')}]`);
    const rows: unknown[][] = [];
    for (let r = 0; r < t.shape[0]; r++) rows.push(t.values.slice(r * k, (r + 1) * k));
    return rows;
  }
  if (k === 1 && tensors.length === 1) {
    const t = tensors[0];
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) throw new V2Error(400, `input ${t.name}: expected shape [N] or [N, 1], got [${t.shape.join(', ')}]`);
    return t.values.map((v) => [v]);
  }
  // One tensor per input column, by name.
  const byName = new Map(tensors.map((t) => [t.name.toUpperCase(), t]));
  for (const t of tensors) if (!columns.some((c) => c.name.toUpperCase() === t.name.toUpperCase())) throw new V2Error(400, `unknown input ${t.name} (inputs: ${columns.map((c) => c.name).join(', ')})`);
  let n = -1;
  const cols = columns.map((c) => {
    const t = byName.get(c.name.toUpperCase());
    if (!t) throw new V2Error(400, `input ${c.name} is missing`);
    if (t.shape.length < 1 || t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) throw new V2Error(400, `input ${t.name}: expected shape [N] or [N, 1], got [${t.shape.join(', ')}]`);
    if (n >= 0 && t.shape[0] !== n) throw new V2Error(400, `input ${t.name} has ${t.shape[0]} rows, another input has ${n}`);
    n = t.shape[0];
    return t.values;
  });
  return Array.from({ length: n }, (_, r) => cols.map((c) => c[r]));
}

/** The response tensor of one output column. */
export function tensorOf(col: ServedColumn, values: unknown[]): Tensor {
  const data: unknown[] = [];
  if (col.rowShape.length === 0) {
    for (const v of values) data.push(typeof v === 'bigint' ? Number(v) : v);
    return { name: col.name, datatype: col.datatype, shape: [values.length], data };
  }
  // Array outputs: rowShape [-1] is variable; the rows' own length (all the same) sets it.
  const width = col.rowShape[0] >= 0 ? col.rowShape[0] : ((values.find(Array.isArray) as unknown[] | undefined)?.length ?? 0);
  for (const v of values) {
    if (!Array.isArray(v) || v.length !== width) throw new Error(`output ${col.name}: rows of different lengths cannot form one tensor`);
    data.push(...v);
  }
  return { name: col.name, datatype: col.datatype, shape: [values.length, width], data };
}
