// The error every capability decoder throws on a value that does not fit its definition: an OPEN Message
// Error (RFC 4271 6.2; subcode 0, Unspecific, as RFC 5492 defines no subcode for a malformed capability).
import { MalformedError } from '../errors.js';
import { openNotification } from '../notify.js';

export function capabilityError(name: string, offset: number, message: string): MalformedError {
  return new MalformedError('open', `capability:${name}`, offset, message, {
    notification: openNotification(0),
    action: 'session-reset',
  });
}

/** Throws unless the capability value has exactly `want` bytes. */
export function expectLength(name: string, offset: number, len: number, want: number): void {
  if (len !== want) throw capabilityError(name, offset, `length ${len}, expected ${want}`);
}

/** Throws unless the value length is a multiple of `unit` (and, when `nonEmpty`, not zero). */
export function expectMultiple(
  name: string,
  offset: number,
  len: number,
  unit: number,
  nonEmpty = false,
): void {
  if (len % unit !== 0 || (nonEmpty && len === 0)) {
    throw capabilityError(
      name,
      offset,
      `length ${len} is not a ${nonEmpty ? 'non-zero ' : ''}multiple of ${unit}`,
    );
  }
}
