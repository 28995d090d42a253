// TensorBoard's Event protobuf (tensorflow/core/util/event.proto), the few fields an event file of
// scalars needs: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5
// (Summary: repeated Value value = 1; Value: tag = 1, simple_value = 2 float), session_log = 7
// (SessionLog: status = 1, START = 1).
import { ProtoWriter } from '../protobuf.js';

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
  const event = new ProtoWriter().double(1, wallTime);
  if (step !== undefined) event.varint(2, step);
  if (fileVersion !== undefined) event.string(3, fileVersion);
  if (scalars?.length) {
    const summary = new ProtoWriter();
    for (const [tag, value] of scalars) summary.message(1, new ProtoWriter().string(1, tag).float(2, value));
    event.message(5, summary);
  }
  if (sessionStart) event.message(7, new ProtoWriter().varint(1, 1));
  return event.finish();
}
