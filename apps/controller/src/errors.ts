// Errors of the controller, one class per condition, told apart by `name`, each with a stable `code`, the HTTP
// status the API answers with, and structured fields (resource type, field path, uuid) for clients and logs.

export abstract class ControllerError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
  toJSON(): Record<string, unknown> {
    return { error: { name: this.name, code: this.code, message: this.message, ...this.details } };
  }
}

/** A request body, parameter or field that does not satisfy the schema. `field` is a dotted path. */
export class ValidationError extends ControllerError {
  override readonly name = 'ValidationError';
  readonly code = 'ERR_VALIDATION';
  readonly status = 400;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`, { field, reason });
  }
}

export class BadRequestError extends ControllerError {
  override readonly name = 'BadRequestError';
  readonly code = 'ERR_BAD_REQUEST';
  readonly status = 400;
}

export class UnauthorizedError extends ControllerError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'ERR_UNAUTHORIZED';
  readonly status = 401;
}

export class ForbiddenError extends ControllerError {
  override readonly name = 'ForbiddenError';
  readonly code = 'ERR_FORBIDDEN';
  readonly status = 403;
}

/** No object with that uuid (or fq_name), or no such route. */
export class NotFoundError extends ControllerError {
  override readonly name = 'NotFoundError';
  readonly code = 'ERR_NOT_FOUND';
  readonly status = 404;
}

export class MethodNotAllowedError extends ControllerError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'ERR_METHOD_NOT_ALLOWED';
  readonly status = 405;
}

export type ConflictKind =
  | 'exists' // uuid or (type, fq_name) already taken
  | 'children' // delete while children remain
  | 'back-refs' // delete while other objects refer to it
  | 'missing-parent' // parent vanished during the transaction
  | 'missing-ref' // a referred object does not exist
  | 'claim' // a unique value (address, MAC, VNI) is already allocated
  | 'exhausted'; // no free value left in a pool

/** The write contradicts the stored state: duplicate, dangling reference, object still in use, pool exhausted. */
export class ConflictError extends ControllerError {
  override readonly name = 'ConflictError';
  readonly code = 'ERR_CONFLICT';
  readonly status = 409;
  constructor(
    readonly kind: ConflictKind,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { kind, ...details });
  }
}

/** Optimistic concurrency: the object changed since the version the client read (If-Match / expect_version). */
export class VersionMismatchError extends ControllerError {
  override readonly name = 'VersionMismatchError';
  readonly code = 'ERR_VERSION_MISMATCH';
  readonly status = 412;
  constructor(
    readonly uuid: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`object ${uuid} is at version ${actual}, not ${expected}`, { uuid, expected, actual });
  }
}

export class PayloadTooLargeError extends ControllerError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'ERR_PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends ControllerError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'ERR_UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

/** A watch asked for a revision the store no longer keeps history for. */
export class CompactedError extends ControllerError {
  override readonly name = 'CompactedError';
  readonly code = 'ERR_COMPACTED';
  readonly status = 410;
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`revision ${requested} is compacted; oldest kept is ${oldest}`, { requested, oldest });
  }
}

/** The store backend failed (I/O, lost connection). */
export class StoreUnavailableError extends ControllerError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'ERR_STORE_UNAVAILABLE';
  readonly status = 503;
}
