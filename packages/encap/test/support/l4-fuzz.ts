// Fuzz helpers: a decoder given any bytes either returns or throws one of our typed errors, never anything else.
import fc from 'fast-check';
import { expect } from 'vitest';
import { EncapError, InvalidFieldError, TruncatedError } from '../../src/index.js';
import { mutated } from './arbitraries-l4.js';

export const FUZZ_RUNS = 300;

/** Calls `decode` and fails unless it returned or threw an EncapError with layer, field and an in-range offset. */
export function decodesOrTypedError(
  decode: (b: Uint8Array) => unknown,
  bytes: Uint8Array,
  layer: string,
): void {
  try {
    decode(bytes);
  } catch (e) {
    if (!(e instanceof EncapError))
      throw new Error(`untyped error ${String(e)} for ${Buffer.from(bytes).toString('hex')}`);
    expect(e instanceof TruncatedError || e instanceof InvalidFieldError).toBe(true);
    expect(e.layer).toBe(layer);
    expect(e.field.length).toBeGreaterThan(0);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
  }
}

/** Random bytes and mutations of valid encodings, each at offset 0 and behind a random prefix. */
export function fuzzDecoder(
  decode: (b: Uint8Array, offset: number) => unknown,
  valid: fc.Arbitrary<Uint8Array>,
  layer: string,
  numRuns = FUZZ_RUNS,
): void {
  const input = fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated(valid));
  fc.assert(
    fc.property(input, fc.uint8Array({ maxLength: 6 }), (bytes, prefix) => {
      decodesOrTypedError((b) => decode(b, 0), bytes, layer);
      const withPrefix = new Uint8Array(prefix.length + bytes.length);
      withPrefix.set(prefix);
      withPrefix.set(bytes, prefix.length);
      decodesOrTypedError((b) => decode(b, prefix.length), withPrefix, layer);
    }),
    { numRuns },
  );
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
