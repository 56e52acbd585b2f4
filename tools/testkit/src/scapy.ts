// scapy comes from Debian (python3-scapy), so it lives beside Debian's python, not a pyenv one on PATH.
import { existsSync } from 'node:fs';
import { run } from './tools.js';

/** The python3 that has Debian's scapy, or undefined when scapy is not installed. */
export function debianPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (py.startsWith('/') && !existsSync(py)) continue;
    const r = run(py, ['-c', 'import scapy.all'], { allowFail: true, timeoutMs: 60_000 });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Runs a python script with scapy imported (`from scapy.all import *`) and returns its stdout. */
export function scapy(script: string, timeoutMs = 60_000): string {
  const py = debianPython();
  if (!py) throw new Error('python3-scapy is not installed');
  return run(
    py,
    ['-c', `import warnings\nwarnings.filterwarnings("ignore")\nfrom scapy.all import *\n${script}`],
    { timeoutMs },
  ).stdout;
}
