// The version of the machine-readable lines mveb-torch writes: `train --json` events and the
// records of a run's metrics.jsonl carry it as `schemaVersion`, so that a tool built on them
// notices a change instead of misreading it. It goes up when a field is renamed, removed or
// changes its meaning or type; adding a field leaves it. Lines without it were written before
// versioning (mveb-torch 0.1.0 before this field), in the layout of version 1.
export const OUTPUT_SCHEMA_VERSION = 1;

/** A line as written: the version first, so that it reads first. */
export function versioned<T extends object>(record: T): { schemaVersion: number } & T {
  return { schemaVersion: OUTPUT_SCHEMA_VERSION, ...record };
}
