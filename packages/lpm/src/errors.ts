// Typed errors of @filament/lpm: a class per condition, told apart by `name`, with a stable `code` and the
// field at fault. Lookups never throw; only control-path calls (insert, delete, parsing) do.

export class LpmError extends Error {
  override name = 'LpmError';
  readonly code: string;
  readonly field: string;
  constructor(code: string, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** An address of the wrong byte length for the table's family. */
export class AddressLengthError extends LpmError {
  override name = 'AddressLengthError';
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super('ERR_LPM_ADDRESS_LENGTH', 'addr', `address has ${actual} bytes, expected ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Address or prefix text that does not parse. */
export class AddressFormatError extends LpmError {
  override name = 'AddressFormatError';
  readonly text: string;
  constructor(text: string, why: string) {
    super('ERR_LPM_ADDRESS_FORMAT', 'addr', `${JSON.stringify(text)}: ${why}`);
    this.text = text;
  }
}

/** A numeric field (prefix length, value, option) out of range. */
export class LpmRangeError extends LpmError {
  override name = 'LpmRangeError';
  readonly value: number;
  readonly min: number;
  readonly max: number;
  constructor(field: string, value: number, min: number, max: number) {
    super('ERR_LPM_RANGE', field, `${field} ${value} not in ${min}..${max}`);
    this.value = value;
    this.min = min;
    this.max = max;
  }
}

/** The node pool reached `maxNodes`. */
export class TableFullError extends LpmError {
  override name = 'TableFullError';
  readonly limit: number;
  constructor(limit: number) {
    super('ERR_LPM_TABLE_FULL', 'nodes', `node limit ${limit} reached`);
    this.limit = limit;
  }
}
