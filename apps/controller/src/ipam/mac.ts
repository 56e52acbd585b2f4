// MAC addresses for interfaces: locally administered unicast (02:...) so they never collide with vendor MACs.
import { randomBytes } from 'node:crypto';

/** The MAC TF derives from an interface uuid (02 + five uuid bytes); `salt` > 0 picks another on collision. */
export function macFor(uuid: string, salt = 0): string {
  const hex = uuid.replaceAll('-', '');
  const bytes = salt === 0 ? Buffer.from(hex.slice(0, 10), 'hex') : randomBytes(5);
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
