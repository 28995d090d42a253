// The kinds of a training-config field: each carries its default, its check, how its flag is
// read and its help text, and whether a resumed run may change it. lib/train/config.ts lists
// the fields; the TypeScript type, the defaults, the validator, the CLI flags and the resume
// rules are all derived from that one table.

/** Why a value is refused ('must be an integer >= 1'), or null when it is fine. */
export type Check = (value: unknown) => string | null;

export interface Field<T> {
  readonly default: T;
  readonly check: Check;
  /** How the CLI reads the flag: booleans as switches; the rest as text, parsed by `parseFlag`. */
  readonly flag: 'boolean' | 'number' | 'range' | 'text';
  readonly help: string;
  /** May a resumed run change it? Where and how fast it runs, what it logs, when it stops: yes; the run itself: no. */
  readonly changeableOnResume: boolean;
  /** What a checkpoint written before the field existed meant by its absence (the default when not given). */
  readonly before: T;
}

interface Options<T = unknown> {
  help: string;
  /** Default false: a resumed run is the checkpoint's run. */
  resume?: boolean;
  /** When older checkpoints behaved otherwise than the default: what their absence means. */
  before?: T;
}

function field<T>(
  value: T,
  flag: Field<T>['flag'],
  check: Check,
  { help, resume = false, before }: Options<T>,
): Field<T> {
  return {
    default: value,
    check,
    flag,
    help,
    changeableOnResume: resume,
    before: before === undefined ? value : before,
  };
}

export function integer(value: number, min: number, options: Options<number>): Field<number> {
  return field(
    value,
    'number',
    (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min ? null : `must be an integer >= ${min}`),
    options,
  );
}

export function number(
  value: number,
  options: Options<number> & { min: number; max?: number; minExclusive?: boolean },
): Field<number> {
  const { min, max = Infinity, minExclusive = false } = options;
  const why = `must be a number ${minExclusive ? '>' : '>='} ${min}${Number.isFinite(max) ? ` and <= ${max}` : ''}`;
  const fits = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
  return field(value, 'number', (v) => (fits(v) ? null : why), options);
}

export function oneOf<const V extends string>(values: readonly V[], value: V, options: Options<V>): Field<V> {
  const why = `must be one of ${values.map((v) => `'${v}'`).join(', ')}`;
  return field(value, 'text', (v) => (values.includes(v as V) ? null : why), options);
}

export function boolean(value: boolean, options: Options<boolean>): Field<boolean> {
  return field(value, 'boolean', (v) => (typeof v === 'boolean' ? null : 'must be true or false'), options);
}

/** Text, with a test of what text is allowed and the words for a refusal. */
export function text(
  value: string,
  allowed: (v: string) => boolean,
  why: string,
  options: Options<string>,
): Field<string> {
  return field(value, 'text', (v) => (typeof v === 'string' && allowed(v) ? null : why), options);
}

/** [min, max] with 0 < min <= max <= limit: the area range of a crop. */
export function range(
  value: [number, number],
  limit: number,
  options: Options<[number, number]>,
): Field<[number, number]> {
  const why = `must be [min, max] with 0 < min <= max <= ${limit}`;
  const fits = (v: unknown) =>
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    v[0] > 0 &&
    v[1] >= v[0] &&
    v[1] <= limit;
  return field(value, 'range', (v) => (fits(v) ? null : why), options);
}

/**
 * A flag as the user typed it, as the field's value: numbers and "min,max" ranges parsed; text
 * that does not parse is kept as typed, so that the refusal echoes it.
 */
export function parseFlag(typed: string, flag: Field<unknown>['flag']): unknown {
  if (flag === 'range') {
    const parts = typed.split(',').map((p) => p.trim());
    return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : typed;
  }
  if (flag === 'number') {
    const n = Number(typed);
    return typed.trim() !== '' && Number.isFinite(n) ? n : typed;
  }
  return typed;
}
