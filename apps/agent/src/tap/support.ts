// Whether this host can give the agent TAP devices, and if not, why (callers then fall back to in-process
// workloads). Checked once per process: Linux, /dev/net/tun readable and writable, CAP_NET_ADMIN in the
// effective set (root has it; a capability-granted user works too), and a python3 with the modules the
// helper imports. Nothing here is needed at install time.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

export type TapSupport = { ok: true } | { ok: false; why: string };

/** The python interpreter the helper runs under (FILAMENT_PYTHON overrides). */
export function tapPython(): string {
  return process.env.FILAMENT_PYTHON ?? 'python3';
}

const CAP_NET_ADMIN = 12;
let cached: TapSupport | undefined;

function hasNetAdmin(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
  } catch {
    return false;
  }
}

function probe(): TapSupport {
  if (process.platform !== 'linux')
    return { ok: false, why: `TAP devices need Linux (this is ${process.platform})` };
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch (e) {
    return { ok: false, why: `/dev/net/tun is not usable: ${(e as Error).message}` };
  }
  if (!hasNetAdmin()) return { ok: false, why: 'creating a TAP device needs CAP_NET_ADMIN (run as root)' };
  const py = tapPython();
  const r = spawnSync(py, ['-c', 'import fcntl, os, select, socket, struct'], { timeout: 10_000 });
  if (r.error || r.status !== 0)
    return { ok: false, why: `the TAP helper needs ${py} (${r.error?.message ?? `exit ${r.status}`})` };
  return { ok: true };
}

/** `{ok: true}` when `openTap` can work on this host, else `{ok: false, why}`. */
export function tapSupported(): TapSupport {
  cached ??= probe();
  return cached;
}
