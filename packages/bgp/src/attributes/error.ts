// The error every attribute decoder throws on a malformed value: it carries the RFC 7606 action the
// attribute's error handling rule calls for and the RFC 4271 6.3 UPDATE Message Error subcode. The UPDATE
// decoder catches it, fills in the NOTIFICATION data (the attribute) and records a problem.
import { type ErrorAction, MalformedError } from '../errors.js';
import { updateNotification } from '../notify.js';

export function attrError(
  attr: string,
  offset: number,
  message: string,
  action: ErrorAction,
  subcode: number,
): MalformedError {
  return new MalformedError(`attribute:${attr}`, 'value', offset, message, {
    action,
    notification: updateNotification(subcode),
  });
}

/** UPDATE Message Error subcodes used by the attribute decoders (RFC 4271 6.3). */
export const LENGTH_ERROR = 5;
export const OPTIONAL_ATTRIBUTE_ERROR = 9;
