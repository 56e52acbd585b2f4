// Every decoding failure is one of these classes, told apart by `name` and `code`, and carries the layer,
// the field and the byte offset where it happened, so a caller can report exactly what was wrong.

/** Base class of every error thrown by @filament/encap. */
export class EncapError extends Error {
  override name = 'EncapError';
  readonly code: string = 'ERR_ENCAP';
  /** Protocol layer, e.g. `ipv4`, `vxlan`. */
  readonly layer: string;
  /** Field within the layer, e.g. `totalLength`. */
  readonly field: string;
  /** Byte offset in the buffer being decoded (absolute, not relative to the layer). */
  readonly offset: number;

  constructor(layer: string, field: string, offset: number, message: string) {
    super(`${layer}.${field} at offset ${offset}: ${message}`);
    this.layer = layer;
    this.field = field;
    this.offset = offset;
  }
}

/** The buffer ends before the layer does. */
export class TruncatedError extends EncapError {
  override name = 'TruncatedError';
  override readonly code = 'ERR_ENCAP_TRUNCATED';
  readonly needed: number;
  readonly available: number;

  constructor(layer: string, field: string, offset: number, needed: number, available: number) {
    super(layer, field, offset, `truncated: needs ${needed} bytes, ${available} available`);
    this.needed = needed;
    this.available = available;
  }
}

/** A field holds a value the standard does not allow (bad version, length shorter than the header, ...). */
export class InvalidFieldError extends EncapError {
  override name = 'InvalidFieldError';
  override readonly code = 'ERR_ENCAP_INVALID_FIELD';
  readonly value: number | string | bigint;

  constructor(layer: string, field: string, offset: number, value: number | string | bigint, reason: string) {
    super(layer, field, offset, `invalid value ${String(value)}: ${reason}`);
    this.value = value;
  }
}

/** A value given to an encoder does not fit its field (VLAN id > 4095, label > 2^20-1, ...). */
export class RangeFieldError extends EncapError {
  override name = 'RangeFieldError';
  override readonly code = 'ERR_ENCAP_RANGE';

  constructor(
    layer: string,
    field: string,
    value: number | bigint,
    min: number | bigint,
    max: number | bigint,
  ) {
    super(layer, field, -1, `${String(value)} is outside ${String(min)}..${String(max)}`);
  }
}

/** A file or stream is not in the expected container format (pcap magic, pcapng block). */
export class FormatError extends EncapError {
  override name = 'FormatError';
  override readonly code = 'ERR_ENCAP_FORMAT';
}

/** Throws TruncatedError unless `need` bytes are available at `offset`. */
export function need(buf: Uint8Array, offset: number, need: number, layer: string, field: string): void {
  if (offset < 0 || offset + need > buf.length) {
    throw new TruncatedError(layer, field, offset, need, Math.max(0, buf.length - offset));
  }
}

/** Throws RangeFieldError unless `min <= value <= max` and value is an integer. */
export function checkRange(layer: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeFieldError(layer, field, value, min, max);
}
