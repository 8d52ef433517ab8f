/**
 * ModelSchema: the resolved INPUT/OUTPUT columns of a model and how they map onto tensors, from
 * what CREATE MODEL declared, completed by what the server (V2 metadata) or the ONNX file says.
 *
 * Invariants: `inputs` and `outputs` are non-empty; every input column belongs to exactly one
 * input tensor (matrix layout: one tensor holds all, in column order; columns layout: one tensor
 * per column, named after it); `outputTensors[j]` names the tensor read for output column j.
 */
import { formatType } from '../types/sql-type.ts';
import type { ModelColumn, ModelSpec, TensorLayout } from './spec.ts';
import type { TensorDatatype, WireValue } from './tensor.ts';
import { defaultDatatypeOf, encodeValue, isTensorDatatype, matrixDatatypeOf, outputTypeOf, sqlTypeOfDatatype } from './tensor.ts';

/** A tensor as metadata describes it; -1 marks a variable dimension. */
export interface TensorMeta {
  readonly name: string;
  readonly datatype: TensorDatatype;
  readonly shape: readonly number[];
}

export interface DiscoveredModel {
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  /** Where it came from, for error messages. */
  readonly source: string;
}

export interface InputTensor {
  readonly name: string;
  readonly datatype: TensorDatatype;
  /** Indexes into `inputs`, in order. */
  readonly columns: readonly number[];
  /** 1: sent as [rows] (a column); 2: [rows, columns.length]. */
  readonly rank: 1 | 2;
}

export interface ModelSchema {
  readonly inputs: readonly ModelColumn[];
  readonly outputs: readonly ModelColumn[];
  readonly layout: TensorLayout;
  readonly inputTensors: readonly InputTensor[];
  /** Per output column: the tensor (V2, ONNX) or V1 prediction field it is read from. */
  readonly outputTensors: readonly string[];
  /** Datatype per input column (that of its tensor), for encoding. */
  readonly columnDatatypes: readonly TensorDatatype[];
}

export class SchemaError extends Error {
  override name = 'SchemaError';
}

/** Discovered tensor names become column names: identifier characters only. */
const columnName = (tensor: string): string => tensor.replace(/[^A-Za-z0-9_]/g, '_');

/** Values per row of a [-1, k] or [-1] tensor; null when the shape is not per-row flat. */
function widthOf(t: TensorMeta): number | null {
  if (t.shape.length === 1) return 1;
  if (t.shape.length === 2) return t.shape[1];
  return null;
}

function discoverInputs(d: DiscoveredModel, layout: TensorLayout | null): { cols: ModelColumn[]; tensors: InputTensor[] } {
  if (d.inputs.length === 0) throw new SchemaError(`${d.source} describes no inputs: declare INPUT (...)`);
  const cols: ModelColumn[] = [];
  const tensors: InputTensor[] = [];
  for (const t of d.inputs) {
    const w = widthOf(t);
    if (w === null || w === 0 || (w < 0 && d.inputs.length > 1)) {
      throw new SchemaError(`${d.source}: input tensor ${t.name} has shape [${t.shape.join(', ')}], which does not map to columns: declare INPUT (...)`);
    }
    if (w < 0) throw new SchemaError(`${d.source}: input tensor ${t.name} has a variable number of features: declare INPUT (...)`);
    const first = cols.length;
    if (w === 1 && (d.inputs.length > 1 || layout === 'columns')) cols.push({ name: columnName(t.name), type: sqlTypeOfDatatype(t.datatype) });
    else for (let i = 0; i < w; i++) cols.push({ name: `${columnName(t.name)}_${i}`, type: sqlTypeOfDatatype(t.datatype) });
    tensors.push({ name: t.name, datatype: t.datatype, columns: cols.slice(first).map((_, i) => first + i), rank: t.shape.length === 1 ? 1 : 2 });
  }
  if (tensors.length > 1 && tensors.some((t) => t.columns.length > 1)) {
    throw new SchemaError(`${d.source}: several input tensors with several features each: declare INPUT (...)`);
  }
  return { cols, tensors };
}

function declaredInputs(spec: ModelSpec, ins: readonly ModelColumn[], d: DiscoveredModel | null): { layout: TensorLayout; tensors: InputTensor[] } {
  const layout: TensorLayout = spec.tensorLayout ?? (d !== null && d.inputs.length > 1 && d.inputs.length === ins.length ? 'columns' : 'matrix');
  if (layout === 'matrix') {
    const meta = d !== null && d.inputs.length === 1 ? d.inputs[0] : null;
    const width = meta ? widthOf(meta) : null;
    if (meta && width !== null && width > 0 && width !== ins.length) {
      throw new SchemaError(`${d!.source}: tensor ${meta.name} takes ${width} features per row, but INPUT declares ${ins.length} columns`);
    }
    const datatype = spec.inputDatatype ?? meta?.datatype ?? matrixDatatypeOf(ins.map((c) => c.type));
    if (datatype === null) throw new SchemaError(`INPUT columns (${ins.map((c) => formatType(c.type)).join(', ')}) cannot share one tensor`);
    return { layout, tensors: [{ name: spec.inputTensor ?? meta?.name ?? 'input-0', datatype, columns: ins.map((_, i) => i), rank: 2 }] };
  }
  const tensors = ins.map((c, i): InputTensor => {
    const meta = d?.inputs.find((t) => t.name === c.name) ?? d?.inputs.find((t) => t.name.toLowerCase() === c.name.toLowerCase()) ?? null;
    const datatype = spec.inputDatatype ?? meta?.datatype ?? defaultDatatypeOf(c.type);
    if (datatype === null) throw new SchemaError(`INPUT column ${c.name} (${formatType(c.type)}) cannot be sent as a tensor`);
    return { name: meta?.name ?? c.name, datatype, columns: [i], rank: meta?.shape.length === 1 ? 1 : 2 };
  });
  return { layout, tensors };
}

function discoverOutputs(d: DiscoveredModel): { cols: ModelColumn[]; names: string[] } {
  if (d.outputs.length === 0) throw new SchemaError(`${d.source} describes no outputs: declare OUTPUT (...)`);
  const cols: ModelColumn[] = [];
  for (const t of d.outputs) {
    const w = widthOf(t);
    if (w === null || w === 0) throw new SchemaError(`${d.source}: output tensor ${t.name} has shape [${t.shape.join(', ')}], which does not map to a column: declare OUTPUT (...)`);
    cols.push({ name: columnName(t.name), type: outputTypeOf(t.datatype, w) });
  }
  return { cols, names: d.outputs.map((t) => t.name) };
}

/**
 * Completes the spec's INPUT/OUTPUT with discovered metadata (needed only for what is undeclared).
 * Throws SchemaError when something can be neither declared nor discovered.
 */
export function resolveSchema(spec: ModelSpec, d: DiscoveredModel | null): ModelSchema {
  let inputs: readonly ModelColumn[];
  let layout: TensorLayout;
  let inputTensors: InputTensor[];
  if (spec.inputs !== null) {
    inputs = spec.inputs;
    ({ layout, tensors: inputTensors } = declaredInputs(spec, spec.inputs, d));
  } else {
    if (d === null) throw new SchemaError(`PROVIDER '${spec.provider.kind}' has no metadata to discover inputs from: declare INPUT (...)`);
    const found = discoverInputs(d, spec.tensorLayout);
    inputs = found.cols;
    inputTensors = found.tensors;
    layout = inputTensors.length === 1 && inputTensors[0].columns.length > 1 ? 'matrix' : 'columns';
    if (spec.inputDatatype !== null) inputTensors = inputTensors.map((t) => ({ ...t, datatype: spec.inputDatatype! }));
  }
  let outputs: readonly ModelColumn[];
  let outputTensors: readonly string[];
  if (spec.outputs !== null) {
    outputs = spec.outputs;
    // Declared names are matched against the response's tensor names (see bindOutputs).
    outputTensors = spec.outputs.map((c) => c.name);
  } else {
    if (d === null) throw new SchemaError(`PROVIDER '${spec.provider.kind}' has no metadata to discover outputs from: declare OUTPUT (...)`);
    const found = discoverOutputs(d);
    outputs = found.cols;
    outputTensors = found.names;
  }
  const columnDatatypes: TensorDatatype[] = new Array(inputs.length);
  for (const t of inputTensors) for (const c of t.columns) columnDatatypes[c] = t.datatype;
  return { inputs, outputs, layout, inputTensors, outputTensors, columnDatatypes };
}

/** Parses one tensor description from metadata JSON; null when it is not one. */
export function parseTensorMeta(x: unknown): TensorMeta | null {
  if (typeof x !== 'object' || x === null) return null;
  const { name, datatype, shape } = x as Record<string, unknown>;
  if (typeof name !== 'string' || !isTensorDatatype(datatype)) return null;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n))) return null;
  return { name, datatype, shape: shape as number[] };
}

/** Encodes one row of SQL values for the schema; a reason string when the row cannot be sent. */
export function encodeRow(schema: ModelSchema, row: readonly unknown[]): WireValue[] | string {
  if (!Array.isArray(row)) return 'row is not an array of feature values';
  if (row.length !== schema.inputs.length) return `row has ${row.length} feature values, model ${schema.inputs.length} inputs`;
  const out: WireValue[] = new Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const w = encodeValue(row[i], schema.columnDatatypes[i]);
    if (typeof w === 'object') return `input ${schema.inputs[i].name}: ${w.error}`;
    out[i] = w;
  }
  return out;
}

/**
 * Which response tensor feeds each output column: by exact name, then case-insensitively; when
 * no output column names any tensor and the counts agree, by position (a model answering
 * `predict` for a column declared as `label`). Returns indexes into `available` or throws.
 */
export function bindOutputs(schema: ModelSchema, available: readonly string[]): number[] {
  const byName = schema.outputTensors.map((n) => {
    const exact = available.indexOf(n);
    return exact >= 0 ? exact : available.findIndex((a) => a.toLowerCase() === n.toLowerCase());
  });
  if (byName.every((i) => i >= 0)) return byName;
  if (byName.every((i) => i < 0) && available.length === schema.outputTensors.length) return available.map((_, i) => i);
  const missing = schema.outputTensors.filter((_, j) => byName[j] < 0);
  throw new SchemaError(`response has no output named ${missing.join(', ')} (it has: ${available.join(', ') || 'none'})`);
}
