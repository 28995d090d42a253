// Seeded random streams. Every random choice of the pipeline comes from a stream
// derived from (run seed, purpose, epoch, index), so results do not depend on how
// work is spread over threads.
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

type SeedPart = number | string;

function digest(parts: readonly SeedPart[]): Buffer {
  return createHash('sha256').update(parts.map(String).join('\u0000')).digest();
}

/** A 32-bit seed for a JS stream, unique per combination of parts. */
export function deriveSeed(...parts: SeedPart[]): number {
  return digest(parts).readUInt32LE(0);
}

/** A 48-bit seed (a safe integer) for a native generator. */
export function deriveNativeSeed(...parts: SeedPart[]): number {
  return digest(parts).readUIntLE(0, 6);
}

export class Random {
  private readonly generator;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high] (both included). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }
}
