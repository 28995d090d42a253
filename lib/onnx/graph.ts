// Builds an ONNX graph op by op: the state dict's tensors become initializers under their PyTorch
// names, constants are named by what they hold, and each op's output gets the next free name.
import type { StateDict } from '../pth.js';
import { InputError } from '../errors.js';
import type { AttributeValue, InitializerSpec, NodeSpec } from './proto.js';

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: InitializerSpec[] = [];
  private readonly added = new Set<string>();
  private counter = 0;

  constructor(
    private readonly weights: StateDict,
    private readonly where: string,
  ) {}

  /** A tensor of the state dict, as a float32 initializer named as in PyTorch. */
  async weight(key: string): Promise<string> {
    if (this.added.has(key)) return key;
    const tensor = this.weights[key];
    if (!tensor) throw new InputError(`${this.where}: the backbone has no ${key}`);
    const values = await tensor.toArray();
    const floats = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    this.initializers.push({
      name: key,
      dims: tensor.shape,
      type: 'float',
      data: new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength),
    });
    this.added.add(key);
    return key;
  }

  /** A tensor's shape in the state dict. */
  shape(key: string): number[] {
    const tensor = this.weights[key];
    if (!tensor) throw new InputError(`${this.where}: the backbone has no ${key}`);
    return tensor.shape;
  }

  /** An int64 constant (shapes, axes, indices); `scalar` for a 0-d one. */
  int64(values: number[], scalar = false): string {
    const name = `const_i64_${scalar ? 'scalar_' : ''}${values.join('_').replaceAll('-', 'm')}`;
    if (!this.added.has(name)) {
      const data = BigInt64Array.from(values.map(BigInt));
      this.initializers.push({
        name,
        dims: scalar ? [] : [values.length],
        type: 'int64',
        data: new Uint8Array(data.buffer),
      });
      this.added.add(name);
    }
    return name;
  }

  /** A float32 scalar constant. */
  float(value: number): string {
    const name = `const_f32_${String(value).replace(/[^0-9a-z]/gi, '_')}`;
    if (!this.added.has(name)) {
      const data = Float32Array.of(value);
      this.initializers.push({ name, dims: [], type: 'float', data: new Uint8Array(data.buffer) });
      this.added.add(name);
    }
    return name;
  }

  /** One node; returns its output's name (`output` names the graph's outputs). */
  op(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const id = this.counter++;
    const out = output ?? `${op.toLowerCase()}_${id}`;
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${id}`, attributes });
    return out;
  }
}
