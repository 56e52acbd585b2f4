// Ports survive an agent restart (TF keeps them as files in /var/lib/contrail/ports): one JSON file in the
// agent's state directory, rewritten atomically (write, then rename) on every add and delete.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PortStoreError } from './errors.js';
import { type PortRequest, parsePortRequest, portRequestJson } from './port-request.js';

export class PortStore {
  readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(stateDir: string) {
    this.path = join(stateDir, 'ports.json');
  }

  /** The stored ports; none when the file does not exist. Entries that no longer validate are skipped. */
  async load(onSkip: (index: number, err: Error) => void = () => {}): Promise<PortRequest[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new PortStoreError(this.path, (e as Error).message);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new PortStoreError(this.path, `not JSON: ${(e as Error).message}`);
    }
    const list = (doc as { ports?: unknown })?.ports;
    if (!Array.isArray(list)) throw new PortStoreError(this.path, 'expected {"ports": [...]}');
    const out: PortRequest[] = [];
    list.forEach((p, i) => {
      try {
        out.push(parsePortRequest(p));
      } catch (e) {
        onSkip(i, e as Error);
      }
    });
    return out;
  }

  /** Replaces the file with `ports` (writes are serialized, the last one wins). */
  save(ports: readonly PortRequest[]): Promise<void> {
    const body = `${JSON.stringify({ ports: ports.map(portRequestJson) }, null, 2)}\n`;
    const dir = join(this.path, '..');
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        await mkdir(dir, { recursive: true });
        const tmp = `${this.path}.${process.pid}.tmp`;
        await writeFile(tmp, body, 'utf8');
        await rename(tmp, this.path);
      });
    return this.writing;
  }
}
