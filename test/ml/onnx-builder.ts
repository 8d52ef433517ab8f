/**
 * Writes small ONNX models (protobuf bytes) for tests, without the onnx Python package:
 * a logistic/linear model `Y = Sigmoid(X @ W + B)` over one [N, k] input (matrix layout) or over
 * k [N, 1] inputs joined by Concat (columns layout), in float32 or float64.
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ...).
 */

class Pb {
  readonly bytes: number[] = [];

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (n > 0n);
    return this;
  }

  int(field: number, v: number | bigint): this {
    return this.varint((field << 3) | 0).varint(v);
  }

  raw(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  str(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  msg(field: number, m: Pb): this {
    return this.raw(field, Uint8Array.from(m.bytes));
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export type OnnxFloat = 'float32' | 'float64';
const ELEM: Record<OnnxFloat, number> = { float32: 1, float64: 11 }; // TensorProto.DataType FLOAT, DOUBLE

function valueInfo(name: string, elem: number, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().str(2, d));
  const tensorType = new Pb().int(1, elem).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType));
}

function initializer(name: string, kind: OnnxFloat, dims: number[], values: number[]): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, ELEM[kind]).str(8, name);
  const data = kind === 'float32' ? new Float32Array(values) : new Float64Array(values);
  return t.raw(9, new Uint8Array(data.buffer)); // raw_data, little-endian
}

function node(op: string, inputs: string[], outputs: string[], attrs: Pb[] = []): Pb {
  const n = new Pb();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(3, `${op}_${outputs[0]}`).str(4, op);
  for (const a of attrs) n.msg(5, a);
  return n;
}

export interface LinearModel {
  readonly weights: readonly number[];
  readonly bias: number;
  readonly kind: OnnxFloat;
  /** 'matrix': input X [N, k]; 'columns': inputs named `columnNames`, each [N, 1]. */
  readonly layout: 'matrix' | 'columns';
  readonly columnNames?: readonly string[];
  /** Apply a Sigmoid (logistic regression) or not (linear regression). */
  readonly sigmoid: boolean;
  /** Batch dimension: symbolic 'N' (dynamic) or fixed. */
  readonly batch?: number | 'N';
}

/** ONNX bytes of `Y = [Sigmoid](X @ W + B)`, output "score" [N, 1]. */
export function linearModelOnnx(m: LinearModel): Uint8Array {
  const k = m.weights.length;
  const elem = ELEM[m.kind];
  const batch = m.batch ?? 'N';
  const g = new Pb();
  const inputs: Pb[] = [];
  let x = 'X';
  if (m.layout === 'matrix') {
    inputs.push(valueInfo('X', elem, [batch, k]));
  } else {
    const names = m.columnNames ?? m.weights.map((_, i) => `f${i}`);
    for (const n of names) inputs.push(valueInfo(n, elem, [batch, 1]));
    const axis = new Pb().str(1, 'axis').int(20, 2).int(3, 1); // AttributeProto: name, type INT, i
    g.msg(1, node('Concat', [...names], ['X'], [axis]));
    x = 'X';
  }
  g.msg(1, node('MatMul', [x, 'W'], ['XW']));
  g.msg(1, node('Add', ['XW', 'B'], [m.sigmoid ? 'Z' : 'score']));
  if (m.sigmoid) g.msg(1, node('Sigmoid', ['Z'], ['score']));
  g.str(2, 'linear');
  g.msg(5, initializer('W', m.kind, [k, 1], [...m.weights]));
  g.msg(5, initializer('B', m.kind, [1], [m.bias]));
  for (const i of inputs) g.msg(11, i);
  g.msg(12, valueInfo('score', elem, [batch, 1]));
  const model = new Pb().int(1, 8).str(2, 'riffle-test').msg(7, g).msg(8, new Pb().str(1, '').int(2, 13));
  return model.done();
}
