// Every failure of @filament/ifmap is one of these classes, told apart by `name` and `code`. Each carries the
// IF-MAP identity (type, name) of the object it concerns and, for property errors, the dotted path of the field.

/** Base class of every error thrown or reported by @filament/ifmap. */
export class IfmapError extends Error {
  override name = 'IfmapError';
  readonly code: string = 'ERR_IFMAP';
  /** IF-MAP node type of the object concerned ('' when none). */
  readonly type: string;
  /** IF-MAP node name of the object concerned ('' when none). */
  readonly objectName: string;

  constructor(message: string, type: string, objectName: string) {
    super(type === '' ? message : `${type} ${objectName}: ${message}`);
    this.type = type;
    this.objectName = objectName;
  }
}

/** A TF REST object that cannot become an IF-MAP node: no fq_name, a bad uuid, a ref without target. */
export class TfObjectError extends IfmapError {
  override name = 'TfObjectError';
  override readonly code = 'ERR_IFMAP_TF_OBJECT';
  /** The JSON field at fault. */
  readonly field: string;

  constructor(type: string, objectName: string, field: string, reason: string) {
    super(`${field}: ${reason}`, type, objectName);
    this.field = field;
  }
}

/** A node or link identity that is unusable: empty type or name, a link without metadata. */
export class IdentityError extends IfmapError {
  override name = 'IdentityError';
  override readonly code = 'ERR_IFMAP_IDENTITY';
  readonly reason: string;

  constructor(type: string, objectName: string, reason: string) {
    super(reason, type, objectName);
    this.reason = reason;
  }
}

/** A property element whose structure does not fit the field's shape (text where elements are expected...). */
export class PropertyShapeError extends IfmapError {
  override name = 'PropertyShapeError';
  override readonly code = 'ERR_IFMAP_PROPERTY_SHAPE';
  /** Dotted JSON path of the field, e.g. `virtual_network_properties.vxlan_network_identifier`. */
  readonly path: string;
  readonly expected: string;

  constructor(type: string, objectName: string, path: string, expected: string) {
    super(`${path}: expected ${expected}`, type, objectName);
    this.path = path;
    this.expected = expected;
  }
}

/** A property whose text is not a value of the field's type (an integer field holding `abc`). */
export class PropertyValueError extends IfmapError {
  override name = 'PropertyValueError';
  override readonly code = 'ERR_IFMAP_PROPERTY_VALUE';
  readonly path: string;
  readonly expected: string;
  readonly value: string;

  constructor(type: string, objectName: string, path: string, expected: string, value: string) {
    super(`${path}: ${JSON.stringify(value.slice(0, 64))} is not ${expected}`, type, objectName);
    this.path = path;
    this.expected = expected;
    this.value = value;
  }
}

/** `<id-perms><uuid>` whose halves are not two unsigned 64-bit decimal integers. */
export class UuidError extends IfmapError {
  override name = 'UuidError';
  override readonly code = 'ERR_IFMAP_UUID';
  readonly value: string;

  constructor(type: string, objectName: string, value: string) {
    super(`id-perms uuid ${JSON.stringify(value.slice(0, 80))} is not two 64-bit halves`, type, objectName);
    this.value = value;
  }
}
