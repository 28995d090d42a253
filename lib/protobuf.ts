// A protocol-buffers encoder for the few messages mveb-torch writes (TensorBoard events, ONNX
// models): fields appended in order as byte chunks, so that large byte fields (an ONNX model's
// weights) are referenced, not copied, until the message is written out once.

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

function varintBytes(value: number | bigint): Uint8Array {
  let n = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n);
  return Uint8Array.from(bytes);
}

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  private key(field: number, wire: number): this {
    return this.push(varintBytes((field << 3) | wire));
  }

  /** int32, int64, uint64, enum and bool: a varint (negative numbers as 64-bit two's complement). */
  varint(field: number, value: number | bigint | boolean): this {
    return this.key(field, WIRE.varint).push(varintBytes(typeof value === 'boolean' ? Number(value) : value));
  }

  /** A repeated varint field, one key per value (what proto2's unpacked encoding is; proto3 readers take it too). */
  varints(field: number, values: ReadonlyArray<number | bigint>): this {
    for (const value of values) this.varint(field, value);
    return this;
  }

  double(field: number, value: number): this {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
    return this.key(field, WIRE.fixed64).push(bytes);
  }

  float(field: number, value: number): this {
    const bytes = Buffer.alloc(4);
    bytes.writeFloatLE(value);
    return this.key(field, WIRE.fixed32).push(bytes);
  }

  bytes(field: number, data: Uint8Array): this {
    return this.key(field, WIRE.bytes).push(varintBytes(data.length)).push(data);
  }

  string(field: number, text: string): this {
    return this.bytes(field, Buffer.from(text, 'utf8'));
  }

  /** A nested message: its chunks are taken as they are. */
  message(field: number, message: ProtoWriter): this {
    this.key(field, WIRE.bytes).push(varintBytes(message.size));
    for (const chunk of message.chunks) this.push(chunk);
    return this;
  }

  /** The encoded message, in one buffer. */
  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
