// The dialect's keepalive (PROTOCOL.md section 1, rule 5): the character U+0200, bytes C8 80, sent every
// hold/3 and once at once by the client when the session comes up. Any idle character between stanzas
// counts as a keepalive on receive (see framer.ts). The hold time is not negotiated: each side uses its own.
import { DEFAULT_HOLD_TIME_MS } from './constants.js';

export const KEEPALIVE_BYTES: Uint8Array = Uint8Array.of(0xc8, 0x80);
export const KEEPALIVE_CHAR = '\u0200';

/** The keepalive period for a hold time: hold/3 (30 s for the default 90 s). */
export function keepaliveInterval(holdTimeMs = DEFAULT_HOLD_TIME_MS): number {
  return Math.max(1, Math.floor(holdTimeMs / 3));
}

/**
 * Client connect retry (PROTOCOL.md section 1 timers): about 50 ms for the first attempt, then
 * min(2^(n-1), 30) s with +-10 % jitter. `baseMs` scales the exponential part (1000 in TF).
 */
export function retryDelay(
  attempt: number,
  baseMs = 1000,
  maxMs = 30_000,
  random: () => number = Math.random,
): number {
  const nominal = attempt <= 1 ? 50 : Math.min(2 ** (attempt - 1) * baseMs, maxMs);
  const jitter = 1 + (random() * 2 - 1) * 0.1;
  return Math.round(nominal * jitter);
}
