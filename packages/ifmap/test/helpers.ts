// Shared test helpers: package paths and the Tungsten Fabric reference files (read at run time, never copied).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(PKG_DIR, '..', '..');
export const REF_DIR = resolve(REPO_ROOT, '..', 'shared', 'ref', 'tf-xmpp');
export const HAS_REF = existsSync(join(REF_DIR, 'PROTOCOL.md'));
export const REF_MISSING = `Tungsten Fabric reference files not found at ${REF_DIR}`;

export function example(name: string): string {
  return readFileSync(join(REF_DIR, 'examples', name), 'utf8');
}
