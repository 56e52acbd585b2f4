// A readable indented tree of JSON-friendly values, for `--pretty` output.
import { jsonReplacer } from './command.js';

/** Renders `value` as `key: value` lines indented by depth; arrays of scalars stay on one line. */
export function prettyTree(value: unknown, indent = '  '): string {
  const lines: string[] = [];
  walk(jsonReplacer('', value), indent, lines);
  return lines.join('\n');
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(jsonReplacer('', v));
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function walk(v: unknown, pad: string, out: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      const x = jsonReplacer('', item);
      if (isScalar(x)) out.push(`${pad}- ${scalar(x)}`);
      else {
        out.push(`${pad}- [${i}]`);
        walk(x, `${pad}    `, out);
      }
    });
    return;
  }
  if (!v || typeof v !== 'object') {
    out.push(`${pad}${scalar(v)}`);
    return;
  }
  for (const [k, raw] of Object.entries(v)) {
    const x = jsonReplacer(k, raw);
    if (x === undefined) continue;
    if (isScalar(x)) out.push(`${pad}${k}: ${scalar(x)}`);
    else if (Array.isArray(x) && x.every((e) => isScalar(jsonReplacer('', e)))) {
      out.push(`${pad}${k}: [${x.map((e) => scalar(jsonReplacer('', e))).join(', ')}]`);
    } else {
      out.push(`${pad}${k}:`);
      walk(x, `${pad}  `, out);
    }
  }
}
