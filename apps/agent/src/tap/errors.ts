// Typed errors of TAP devices (one class per condition, told apart by `name`, with a `code`), on the agent's
// AgentError base so callers can catch every agent error in one place.
import { AgentError } from '../errors.js';

/** TAP devices cannot be used here (not Linux, no /dev/net/tun, no CAP_NET_ADMIN, no python3). */
export class TapUnsupportedError extends AgentError {
  override name = 'TapUnsupportedError';
  readonly why: string;
  constructor(why: string) {
    super('ERR_AGENT_TAP_UNSUPPORTED', 'tap', 'host', `TAP devices unavailable: ${why}`);
    this.why = why;
  }
}

/** A device name the kernel would refuse: 1-15 characters of [A-Za-z0-9_.-] (IFNAMSIZ). */
export class TapNameError extends AgentError {
  override name = 'TapNameError';
  constructor(value: string) {
    super(
      'ERR_AGENT_TAP_NAME',
      'tap',
      'name',
      `tap.name: ${JSON.stringify(value)}: want 1-15 characters of A-Z a-z 0-9 _ . -`,
    );
  }
}

/** The kernel refused to create or bring up the device (EBUSY: the name is taken; EPERM...). */
export class TapOpenError extends AgentError {
  override name = 'TapOpenError';
  readonly device: string;
  readonly errno: number;
  constructor(device: string, errno: number, detail: string) {
    super(
      'ERR_AGENT_TAP_OPEN',
      'tap',
      'device',
      `tap ${device}: ${detail}${errno ? ` (errno ${errno})` : ''}`,
    );
    this.device = device;
    this.errno = errno;
  }
}

/** The helper that reads the device exited or was killed while the device was open. */
export class TapHelperDiedError extends AgentError {
  override name = 'TapHelperDiedError';
  readonly device: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(device: string, exitCode: number | null, signal: string | null, stderr: string) {
    super(
      'ERR_AGENT_TAP_HELPER_DIED',
      'tap',
      'helper',
      `tap ${device}: reader helper exited (${signal ?? `code ${exitCode}`}); frames from the device are no longer received${stderr ? `: ${stderr.trim()}` : ''}`,
    );
    this.device = device;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
