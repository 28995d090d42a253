// Writing a Python pickle (protocol 3) of a dict of str → bool | str | dict | NumPy array, as
// pickle.dump would write it: what Detectron2 reads. A NumPy array pickles as
// numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then BUILD with
// (1, shape, dtype, False, raw bytes); a dtype as numpy.dtype('<f4'|'<i8', False, True) then BUILD
// with its state (3, '<', None, None, None, -1, -1, 0).

export interface NumpyArray {
  kind: 'f4' | 'i8';
  shape: number[];
  /** Little-endian C-order elements. */
  bytes: Buffer;
}

export type PickleValue = boolean | string | NumpyArray | { [key: string]: PickleValue };

const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_DICT: 0x7d,
  SETITEMS: 0x75,
  BINUNICODE: 0x58,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  GLOBAL: 0x63,
  BININT: 0x4a,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  REDUCE: 0x52,
  BUILD: 0x62,
  SHORT_BINBYTES: 0x43,
  BINBYTES: 0x42,
  NONE: 0x4e,
} as const;

class PickleWriter {
  readonly chunks: Buffer[] = [];

  op(...codes: number[]): void {
    this.chunks.push(Buffer.from(codes));
  }

  int(value: number): void {
    const b = Buffer.alloc(5);
    b[0] = OP.BININT;
    b.writeInt32LE(value, 1);
    this.chunks.push(b);
  }

  string(value: string): void {
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = OP.BINUNICODE;
    head.writeUInt32LE(text.length, 1);
    this.chunks.push(head, text);
  }

  bytes(value: Buffer): void {
    if (value.length < 256) {
      this.op(OP.SHORT_BINBYTES, value.length);
    } else {
      const head = Buffer.alloc(5);
      head[0] = OP.BINBYTES;
      head.writeUInt32LE(value.length, 1);
      this.chunks.push(head);
    }
    this.chunks.push(value);
  }

  global(module: string, name: string): void {
    this.op(OP.GLOBAL);
    this.chunks.push(Buffer.from(`${module}\n${name}\n`, 'ascii'));
  }

  /** MARK, the items, TUPLE: valid for any length (0-d shapes included). */
  tuple(write: () => void): void {
    this.op(OP.MARK);
    write();
    this.op(OP.TUPLE);
  }

  array(array: NumpyArray): void {
    if (array.bytes.length > 0xffffffff) throw new RangeError('an array over 4 GiB needs pickle protocol 4');
    this.global('numpy.core.multiarray', '_reconstruct');
    this.tuple(() => {
      this.global('numpy', 'ndarray');
      this.tuple(() => this.int(0));
      this.bytes(Buffer.from('b'));
    });
    this.op(OP.REDUCE);
    this.tuple(() => {
      this.int(1);
      this.tuple(() => array.shape.forEach((n) => this.int(n)));
      this.global('numpy', 'dtype');
      this.tuple(() => {
        this.string(array.kind);
        this.op(OP.NEWFALSE, OP.NEWTRUE);
      });
      this.op(OP.REDUCE);
      this.tuple(() => {
        this.int(3);
        this.string('<');
        this.op(OP.NONE, OP.NONE, OP.NONE);
        this.int(-1);
        this.int(-1);
        this.int(0);
      });
      this.op(OP.BUILD, OP.NEWFALSE);
      this.bytes(array.bytes);
    });
    this.op(OP.BUILD);
  }

  value(value: PickleValue): void {
    if (typeof value === 'boolean') this.op(value ? OP.NEWTRUE : OP.NEWFALSE);
    else if (typeof value === 'string') this.string(value);
    else if (isArray(value)) this.array(value);
    else {
      this.op(OP.EMPTY_DICT);
      const entries = Object.entries(value);
      // SETITEMS batches of up to 1000, as pickle does.
      for (let i = 0; i < entries.length; i += 1000) {
        this.op(OP.MARK);
        for (const [key, item] of entries.slice(i, i + 1000)) {
          this.string(key);
          this.value(item);
        }
        this.op(OP.SETITEMS);
      }
    }
  }
}

function isArray(value: PickleValue): value is NumpyArray {
  return (
    typeof value === 'object' &&
    Buffer.isBuffer((value as NumpyArray).bytes) &&
    Array.isArray((value as NumpyArray).shape)
  );
}

/** The bytes of pickle.dumps(value, protocol=3). */
export function pickleDumps(value: PickleValue): Buffer {
  const writer = new PickleWriter();
  writer.op(OP.PROTO, 3);
  writer.value(value);
  writer.op(OP.STOP);
  return Buffer.concat(writer.chunks);
}
