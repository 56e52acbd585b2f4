// Every bad input is one of these classes, told apart by `name` and `code`. Each names the object (its type
// and name, as the user wrote it) and the field, so a controller can point the user at the exact mistake.

/** Base class of every error thrown by @filament/policy. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  readonly code: string = 'ERR_POLICY';
  /** Kind of object, e.g. `firewall-rule`, `interface`, `NetworkPolicy`. */
  readonly objectType: string;
  /** The object's name (fq_name joined with ':' for Tungsten Fabric objects). */
  readonly objectName: string;
  /** The field that is wrong, as a dotted path, e.g. `endpoint1.addressGroup`. */
  readonly field: string;

  constructor(objectType: string, objectName: string, field: string, message: string) {
    super(`${objectType} '${objectName}' ${field}: ${message}`);
    this.objectType = objectType;
    this.objectName = objectName;
    this.field = field;
  }
}

/** A tag is not written `type=value`. */
export class InvalidTagError extends PolicyError {
  override name = 'InvalidTagError';
  override readonly code = 'ERR_POLICY_INVALID_TAG';
  readonly tag: string;
  constructor(objectType: string, objectName: string, field: string, tag: string) {
    super(objectType, objectName, field, `tag '${tag}' is not of the form type=value`);
    this.tag = tag;
  }
}

/** A tag names a type that is neither predefined nor declared in `tagTypes`. */
export class UnknownTagTypeError extends PolicyError {
  override name = 'UnknownTagTypeError';
  override readonly code = 'ERR_POLICY_UNKNOWN_TAG_TYPE';
  readonly tagType: string;
  constructor(objectType: string, objectName: string, field: string, tagType: string) {
    super(objectType, objectName, field, `unknown tag type '${tagType}'`);
    this.tagType = tagType;
  }
}

/** Two tags of a single-valued type on one object, or a type used where it is not allowed. */
export class TagConflictError extends PolicyError {
  override name = 'TagConflictError';
  override readonly code = 'ERR_POLICY_TAG_CONFLICT';
  readonly tagType: string;
  constructor(objectType: string, objectName: string, field: string, tagType: string, reason: string) {
    super(objectType, objectName, field, `tag type '${tagType}': ${reason}`);
    this.tagType = tagType;
  }
}

/** An object refers to another object that does not exist. */
export class MissingReferenceError extends PolicyError {
  override name = 'MissingReferenceError';
  override readonly code = 'ERR_POLICY_MISSING_REFERENCE';
  readonly targetType: string;
  readonly target: string;
  constructor(objectType: string, objectName: string, field: string, targetType: string, target: string) {
    super(objectType, objectName, field, `refers to missing ${targetType} '${target}'`);
    this.targetType = targetType;
    this.target = target;
  }
}

/** Two objects of one type share a name. */
export class DuplicateObjectError extends PolicyError {
  override name = 'DuplicateObjectError';
  override readonly code = 'ERR_POLICY_DUPLICATE';
  constructor(objectType: string, objectName: string) {
    super(objectType, objectName, 'name', 'is defined more than once');
  }
}

/** A prefix or address that does not parse, or whose host bits are set where a network is required. */
export class InvalidPrefixError extends PolicyError {
  override name = 'InvalidPrefixError';
  override readonly code = 'ERR_POLICY_INVALID_PREFIX';
  readonly value: string;
  constructor(
    objectType: string,
    objectName: string,
    field: string,
    value: string,
    reason = 'not an IPv4 or IPv6 prefix',
  ) {
    super(objectType, objectName, field, `'${value}': ${reason}`);
    this.value = value;
  }
}

/** A port range whose start is after its end, or outside 0..65535. */
export class InvalidPortRangeError extends PolicyError {
  override name = 'InvalidPortRangeError';
  override readonly code = 'ERR_POLICY_INVALID_PORT_RANGE';
  readonly start: number;
  readonly end: number;
  constructor(objectType: string, objectName: string, field: string, start: number, end: number) {
    super(objectType, objectName, field, `port range ${start}..${end} is out of order or outside 0..65535`);
    this.start = start;
    this.end = end;
  }
}

/** A protocol name we do not know, or a number outside 0..255. */
export class InvalidProtocolError extends PolicyError {
  override name = 'InvalidProtocolError';
  override readonly code = 'ERR_POLICY_INVALID_PROTOCOL';
  readonly value: string;
  constructor(objectType: string, objectName: string, field: string, value: string) {
    super(objectType, objectName, field, `unknown protocol '${value}'`);
    this.value = value;
  }
}

/** Fields that exclude each other are both set (or a required one of several is missing). */
export class ConflictingFieldsError extends PolicyError {
  override name = 'ConflictingFieldsError';
  override readonly code = 'ERR_POLICY_CONFLICTING_FIELDS';
  constructor(objectType: string, objectName: string, field: string, reason: string) {
    super(objectType, objectName, field, reason);
  }
}

/** A field has a value outside its allowed set (direction, action, ...). */
export class InvalidFieldError extends PolicyError {
  override name = 'InvalidFieldError';
  override readonly code = 'ERR_POLICY_INVALID_FIELD';
  readonly value: string;
  constructor(objectType: string, objectName: string, field: string, value: string, reason: string) {
    super(objectType, objectName, field, `invalid value '${value}': ${reason}`);
    this.value = value;
  }
}

/** Following references returns to an object already on the path (e.g. a parent chain that loops). */
export class ReferenceCycleError extends PolicyError {
  override name = 'ReferenceCycleError';
  override readonly code = 'ERR_POLICY_CYCLE';
  readonly cycle: readonly string[];
  constructor(objectType: string, objectName: string, field: string, cycle: readonly string[]) {
    super(objectType, objectName, field, `reference cycle ${cycle.join(' -> ')}`);
    this.cycle = cycle;
  }
}

/** Input that is not the document shape a loader expects (not JSON, not an object, wrong kind). */
export class InputFormatError extends PolicyError {
  override name = 'InputFormatError';
  override readonly code = 'ERR_POLICY_INPUT_FORMAT';
  constructor(objectType: string, objectName: string, field: string, reason: string) {
    super(objectType, objectName, field, reason);
  }
}
