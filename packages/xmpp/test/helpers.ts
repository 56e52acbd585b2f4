// Shared test helpers: where the Tungsten Fabric reference files are, and an ltx-based canonical form so
// XML we write is compared with XML others wrote by structure, not by whitespace.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Element, parse } from 'ltx';

export const PKG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(PKG_DIR, '..', '..');
/** `<repo>/../shared/ref/tf-xmpp`: read at run time, never copied into the package. */
export const REF_DIR = resolve(REPO_ROOT, '..', 'shared', 'ref', 'tf-xmpp');
export const HAS_REF = existsSync(join(REF_DIR, 'PROTOCOL.md'));
export const REF_MISSING = `Tungsten Fabric reference files not found at ${REF_DIR}`;

export function example(name: string): string {
  return readFileSync(join(REF_DIR, 'examples', name), 'utf8');
}

export interface Canon {
  name: string;
  attrs: Record<string, string>;
  children: (Canon | string)[];
}

function canon(el: Element): Canon {
  const children: (Canon | string)[] = [];
  for (const ch of el.children) {
    if (typeof ch === 'string') {
      if (ch.trim() !== '') children.push(ch.trim());
    } else children.push(canon(ch as Element));
  }
  return { name: el.name, attrs: { ...el.attrs }, children };
}

/** Parses one element with ltx (declaration and surrounding whitespace removed) into a comparable tree. */
export function canonical(xml: string): Canon {
  return canon(parse(xml.replace(/<\?xml[^?]*\?>/g, '').trim()));
}

/** Splits a file holding several top-level elements (publish + collection pairs) with a regex, not our framer. */
export function splitTopLevel(xml: string): string[] {
  return xml
    .replace(/<\?xml[^?]*\?>/g, '')
    .split(/(?<=<\/iq>|<\/message>)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
