// An underlay capture with tshark, for tests that check what went on the wire: start before the traffic,
// stop after, dissect with `tsharkFields` from @filament/testkit.
import { type ChildProcess, spawn } from 'node:child_process';

/** Starts `tshark -i <iface> -f <filter> -w <file>` and resolves once it is capturing. */
export function startCapture(file: string, filter: string, iface = 'lo'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('tshark', ['-n', '-i', iface, '-f', filter, '-w', file, '-a', 'duration:600'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`tshark did not start: ${err}`));
    }, 20_000);
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // dumpcap says so once the filter is attached; a moment more lets it settle.
      if (err.includes('Capture started') || err.includes('Capturing on')) {
        clearTimeout(timer);
        setTimeout(() => resolve(p), 1000);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited ${code}: ${err}`));
    });
  });
}

/** Stops a capture (SIGINT flushes the file) and waits for tshark to exit. */
export function stopCapture(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill('SIGINT');
  });
}
