// ONNX's protobuf messages (onnx/onnx.proto), the fields a model of float32 initializers and
// standard operators needs. Field numbers: ModelProto ir_version = 1, producer_name = 2,
// producer_version = 3, graph = 7, opset_import = 8; GraphProto node = 1, name = 2,
// initializer = 5, input = 11, output = 12; NodeProto input = 1, output = 2, name = 3,
// op_type = 4, attribute = 5; AttributeProto name = 1, f = 2, i = 3, ints = 8, type = 20;
// TensorProto dims = 1, data_type = 2, name = 8, raw_data = 9; ValueInfoProto name = 1, type = 2;
// TypeProto tensor_type = 1 (elem_type = 1, shape = 2: dim = 1: dim_value = 1, dim_param = 2).
import { ProtoWriter } from '../protobuf.js';

export const ELEMENT_TYPE = { float: 1, int64: 7 } as const;
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7 } as const;

export type AttributeValue = number | number[] | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  type: keyof typeof ELEMENT_TYPE;
  /** Little-endian raw data. */
  data: Uint8Array;
}

/** A graph input or output: float32, each dimension a size or a symbolic name ('batch'). */
export interface ValueSpec {
  name: string;
  dims: Array<number | string>;
}

function attribute(name: string, value: AttributeValue): ProtoWriter {
  const proto = new ProtoWriter().string(1, name);
  if (Array.isArray(value)) return proto.varints(8, value).varint(20, ATTRIBUTE_TYPE.ints);
  if (typeof value === 'object') return proto.float(2, value.float).varint(20, ATTRIBUTE_TYPE.float);
  return proto.varint(3, value).varint(20, ATTRIBUTE_TYPE.int);
}

function node({ op, inputs, outputs, name, attributes = {} }: NodeSpec): ProtoWriter {
  const proto = new ProtoWriter();
  for (const input of inputs) proto.string(1, input);
  for (const output of outputs) proto.string(2, output);
  proto.string(3, name).string(4, op);
  for (const [key, value] of Object.entries(attributes)) proto.message(5, attribute(key, value));
  return proto;
}

function tensor({ name, dims, type, data }: InitializerSpec): ProtoWriter {
  return new ProtoWriter().varints(1, dims).varint(2, ELEMENT_TYPE[type]).string(8, name).bytes(9, data);
}

function valueInfo({ name, dims }: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of dims)
    shape.message(1, typeof dim === 'number' ? new ProtoWriter().varint(1, dim) : new ProtoWriter().string(2, dim));
  const tensorType = new ProtoWriter().varint(1, ELEMENT_TYPE.float).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export interface ModelSpec {
  graphName: string;
  nodes: NodeSpec[];
  initializers: InitializerSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  opset: number;
  irVersion: number;
  producerVersion: string;
  docString: string;
}

export function encodeModel(spec: ModelSpec): Buffer {
  const graph = new ProtoWriter();
  for (const n of spec.nodes) graph.message(1, node(n));
  graph.string(2, spec.graphName);
  for (const init of spec.initializers) graph.message(5, tensor(init));
  for (const input of spec.inputs) graph.message(11, valueInfo(input));
  for (const output of spec.outputs) graph.message(12, valueInfo(output));
  return new ProtoWriter()
    .varint(1, spec.irVersion)
    .string(2, 'mveb-torch')
    .string(3, spec.producerVersion)
    .string(6, spec.docString)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, spec.opset))
    .finish();
}
