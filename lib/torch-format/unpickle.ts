// A Python pickle reader for the opcodes torch.save emits (protocols 2-4). It builds plain JS
// values: dicts become Maps (insertion order kept), tuples and lists arrays; class references
// and calls go through `resolveGlobal`, tensor storages through `persistentLoad`.

/** What a GLOBAL opcode pushes: called by REDUCE with the argument tuple. */
export type PickleCallable = (args: unknown[]) => unknown;

export interface UnpickleHooks {
  resolveGlobal(module: string, name: string): PickleCallable;
  persistentLoad(pid: unknown): unknown;
}

/** A value whose class we do not know: kept as is, so unrelated entries do not stop a load. */
export class PickledObject {
  state: unknown;
  constructor(
    readonly global: string,
    readonly args: unknown[],
  ) {}
}

export function unpickle(bytes: Buffer, hooks: UnpickleHooks, path: string): unknown {
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`${path}: cannot read the pickle at byte ${pos}: ${why}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail('truncated');
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) return fail('no MARK');
    const items = stack.splice(mark);
    return items;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated line');
    const text = bytes.toString('utf8', pos, end);
    pos = end + 1;
    return text;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (target instanceof Map) {
      for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
    } else {
      fail('SETITEM(S) on something that is not a dict');
    }
  };

  for (;;) {
    need(1);
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        pos += 1;
        break;
      case 0x95: // FRAME
        pos += 8;
        break;
      case 0x2e: // STOP
        return stack.pop();
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(bytes.readUInt8(pos));
        pos += 1;
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(bytes.readUInt16LE(pos));
        pos += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(bytes.readInt32LE(pos));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        need(1);
        const n = bytes[pos++]!;
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i]!);
        if (n > 0 && bytes[pos + n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(bytes.readDoubleBE(pos));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
      case 0x54: {
        // BINSTRING
        need(4);
        const n = bytes.readUInt32LE(pos);
        pos += 4;
        need(n);
        stack.push(bytes.toString('utf8', pos, pos + n));
        pos += n;
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
      case 0x55: {
        // SHORT_BINSTRING
        need(1);
        const n = bytes[pos++]!;
        need(n);
        stack.push(bytes.toString('utf8', pos, pos + n));
        pos += n;
        break;
      }
      case 0x43: // SHORT_BINBYTES
      case 0x42: {
        // BINBYTES
        const long = op === 0x42;
        need(long ? 4 : 1);
        const n = long ? bytes.readUInt32LE(pos) : bytes[pos]!;
        pos += long ? 4 : 1;
        need(n);
        stack.push(Buffer.from(bytes.subarray(pos, pos + n)));
        pos += n;
        break;
      }
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push(stack.splice(-1));
        break;
      case 0x86: // TUPLE2
        stack.push(stack.splice(-2));
        break;
      case 0x87: // TUPLE3
        stack.push(stack.splice(-3));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(hooks.resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = stack.pop() as string;
        const module = stack.pop() as string;
        stack.push(hooks.resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = stack.pop() as unknown[];
        const callable = stack.pop();
        if (typeof callable !== 'function') fail('REDUCE on something that is not callable');
        stack.push((callable as PickleCallable)(args));
        break;
      }
      case 0x62: {
        // BUILD: object state (an OrderedDict's _metadata, a class's __dict__)
        const state = stack.pop();
        const target = stack[stack.length - 1];
        if (target instanceof PickledObject) target.state = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(stack.pop()));
        break;
      case 0x71: // BINPUT
        need(1);
        memo.set(bytes[pos++]!, stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(bytes.readUInt32LE(pos), stack[stack.length - 1]);
        pos += 4;
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
        need(1);
        stack.push(memo.get(bytes[pos++]!));
        break;
      case 0x6a: // LONG_BINGET
        need(4);
        stack.push(memo.get(bytes.readUInt32LE(pos)));
        pos += 4;
        break;
      case 0x73: {
        // SETITEM
        const value = stack.pop();
        const key = stack.pop();
        setItems(stack[stack.length - 1], [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(stack[stack.length - 1], items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = stack.pop();
        (stack[stack.length - 1] as unknown[]).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (stack[stack.length - 1] as unknown[]).push(...items);
        break;
      }
      default:
        fail(`unsupported opcode 0x${op.toString(16)}`);
    }
  }
}
