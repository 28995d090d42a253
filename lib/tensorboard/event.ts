// TensorBoard's Event protobuf (tensorflow/core/util/event.proto), the few fields an event file of
// scalars needs, encoded by hand: wall_time = 1 (double), step = 2 (int64), file_version = 3
// (string), summary = 5 (Summary: repeated Value value = 1; Value: tag = 1, simple_value = 2
// float), session_log = 7 (SessionLog: status = 1, START = 1).

function varint(value: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n);
  return bytes;
}

const key = (field: number, wireType: number) => varint((field << 3) | wireType);

function lengthDelimited(field: number, bytes: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}

function double(field: number, value: number): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return [...key(field, 1), ...bytes];
}

function float(field: number, value: number): number[] {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatLE(value);
  return [...key(field, 5), ...bytes];
}

interface EventFields {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  /** Scalars by tag. */
  scalars?: Array<[string, number]>;
  /** A SessionLog START: TensorBoard drops the earlier events from this step on (a resumed run). */
  sessionStart?: boolean;
}

export function encodeEvent({ wallTime, step, fileVersion, scalars, sessionStart }: EventFields): Uint8Array {
  const bytes = [...double(1, wallTime)];
  if (step !== undefined) bytes.push(...key(2, 0), ...varint(step));
  if (fileVersion !== undefined) bytes.push(...lengthDelimited(3, [...Buffer.from(fileVersion, 'utf8')]));
  if (scalars?.length) {
    const values = scalars.flatMap(([tag, value]) =>
      lengthDelimited(1, [...lengthDelimited(1, [...Buffer.from(tag, 'utf8')]), ...float(2, value)]),
    );
    bytes.push(...lengthDelimited(5, values));
  }
  if (sessionStart) bytes.push(...lengthDelimited(7, [...key(1, 0), ...varint(1)]));
  return Uint8Array.from(bytes);
}
