// Every failure @filament/flow throws is one of these classes, told apart by `name` and `code`, and carries
// the field that was wrong. Table-full and other capacity outcomes are not errors: insert returns a status.

/** Base class of every error thrown by @filament/flow. */
export class FlowError extends Error {
  override name = 'FlowError';
  readonly code: string = 'ERR_FLOW';
  /** The argument or option at fault, e.g. `src`, `sport`, `capacity`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** An address given as bytes has the wrong length for its family (4 for IPv4, 16 for IPv6). */
export class AddressLengthError extends FlowError {
  override name = 'AddressLengthError';
  override readonly code = 'ERR_FLOW_ADDRESS_LENGTH';
  readonly expected: number;
  readonly actual: number;

  constructor(field: string, expected: number, actual: number) {
    super(field, `address must be ${expected} bytes, got ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** An address given as text does not parse, or is of a different family than the key. */
export class AddressFormatError extends FlowError {
  override name = 'AddressFormatError';
  override readonly code = 'ERR_FLOW_ADDRESS_FORMAT';
  readonly value: string;

  constructor(field: string, value: string, reason: string) {
    super(field, `${JSON.stringify(value)} is not a valid address: ${reason}`);
    this.value = value;
  }
}

/** A port (or ICMP identifier) is not an integer in 0..65535. */
export class PortRangeError extends FlowError {
  override name = 'PortRangeError';
  override readonly code = 'ERR_FLOW_PORT_RANGE';
  readonly value: number;

  constructor(field: string, value: number) {
    super(field, `${String(value)} is not a port (integer 0..65535)`);
    this.value = value;
  }
}

/** Any other numeric field (VRF id, protocol, action, interface, next hop, ECMP member) out of its range. */
export class FieldRangeError extends FlowError {
  override name = 'FieldRangeError';
  override readonly code = 'ERR_FLOW_FIELD_RANGE';
  readonly value: number;
  readonly min: number;
  readonly max: number;

  constructor(field: string, value: number, min: number, max: number) {
    super(field, `${String(value)} is outside ${min}..${max}`);
    this.value = value;
    this.min = min;
    this.max = max;
  }
}

/** A flow index that does not name a live flow (free, retiring, or out of the table). */
export class FlowIndexError extends FlowError {
  override name = 'FlowIndexError';
  override readonly code = 'ERR_FLOW_INDEX';
  readonly index: number;

  constructor(index: number, reason: string) {
    super('index', `${String(index)}: ${reason}`);
    this.index = index;
  }
}

/** A table option is out of range or inconsistent (capacity not a multiple of 4, limits above capacity). */
export class FlowOptionsError extends FlowError {
  override name = 'FlowOptionsError';
  override readonly code = 'ERR_FLOW_OPTIONS';
}

/** Memory handed to `FlowTable.attach` does not describe a flow table (wrong sizes or version). */
export class FlowMemoryError extends FlowError {
  override name = 'FlowMemoryError';
  override readonly code = 'ERR_FLOW_MEMORY';
}

/** Throws FieldRangeError unless `value` is an integer in `min..max`. */
export function checkField(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new FieldRangeError(field, value, min, max);
}

/**
 * Throws AddressFormatError unless `value` is an IPv4 address as a 32-bit integer (uint32 or int32). The
 * int32 test comes first: addresses read as int32 are small integers to V8, and the test then compiles to
 * nothing (the uint32 test first cost 20% of the lookups per second at 1 M flows).
 */
export function checkAddress32(field: string, value: number): void {
  if ((value | 0) !== value && value >>> 0 !== value)
    throw new AddressFormatError(field, String(value), 'not a 32-bit integer');
}

/** Throws PortRangeError unless `value` is a port number. */
export function checkPort(field: string, value: number): void {
  if ((value & 0xffff) !== value) throw new PortRangeError(field, value);
}

/** A packet handed to a NAT helper is too short or is not the IPv4 packet of the flow. */
export class PacketFormatError extends FlowError {
  override name = 'PacketFormatError';
  override readonly code = 'ERR_FLOW_PACKET';
  readonly offset: number;

  constructor(field: string, offset: number, reason: string) {
    super(field, `at offset ${offset}: ${reason}`);
    this.offset = offset;
  }
}
