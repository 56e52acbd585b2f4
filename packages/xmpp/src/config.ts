// Config over XMPP, the IF-MAP subset the control node pushes to agents (PROTOCOL.md section 7):
//
//   <iq type="set" from=CN to="default-global-system-config:AGENT/config"><config>
//     <update>|<delete>            consecutive operations of one kind share a block; <= 16 objects per iq
//       <node type=T><name>FQN</name> ...vnc_cfg.xsd properties... </node>
//       <link><node type=T1><name/></node><node type=T2><name/></node><metadata type=M>...</metadata></link>
//   </config></iq>
//
// Properties follow vnc_cfg.xsd, which is not part of this package: they travel as plain element trees.
// CN config iqs are preceded by `<?xml version="1.0"?>`, as TF sends them.
import { MAX_CONFIG_OBJECTS_PER_IQ } from './constants.js';
import { EncodeError, VocabularyError } from './errors.js';
import type { XmlCursor } from './xml-cursor.js';
import { readElement, writeElement, type XmlElement } from './xml-node.js';
import { escapeAttr, escapeText } from './xml-text.js';

export interface ConfigNodeRef {
  type: string;
  name: string;
}

export interface ConfigNode extends ConfigNodeRef {
  kind: 'node';
  /** Property elements after `<name>` (empty in deletes). */
  properties: XmlElement[];
}

export interface ConfigLink {
  kind: 'link';
  left: ConfigNodeRef;
  right: ConfigNodeRef;
  /** Link metadata type, e.g. `virtual-router-virtual-machine`. */
  metadata: string;
  /** Metadata content, usually empty. */
  metadataChildren: XmlElement[];
}

export interface ConfigBlock {
  op: 'update' | 'delete';
  objects: (ConfigNode | ConfigLink)[];
}

function refXml(r: ConfigNodeRef, props: readonly XmlElement[]): string {
  let out = `<node type="${escapeAttr(r.type)}">\n<name>${escapeText(r.name)}</name>\n`;
  for (const p of props) out += `${writeElement(p)}\n`;
  return `${out}</node>\n`;
}

/** One config iq. Throws EncodeError beyond 16 objects (use `chunkConfig`). */
export function encodeConfig(from: string, to: string, blocks: readonly ConfigBlock[]): string {
  const count = blocks.reduce((n, b) => n + b.objects.length, 0);
  if (count === 0 || count > MAX_CONFIG_OBJECTS_PER_IQ) {
    throw new EncodeError('config', `${count} objects; an iq carries 1..${MAX_CONFIG_OBJECTS_PER_IQ}`);
  }
  let out = `<?xml version="1.0"?>\n<iq type="set" from="${escapeAttr(from)}" to="${escapeAttr(to)}">\n<config>\n`;
  for (const b of blocks) {
    if (b.objects.length === 0) continue;
    out += `<${b.op}>\n`;
    for (const o of b.objects) {
      if (o.kind === 'node') out += refXml(o, o.properties);
      else {
        const meta: XmlElement = {
          name: 'metadata',
          attrs: { type: o.metadata },
          children: o.metadataChildren,
        };
        out += `<link>\n${refXml(o.left, [])}${refXml(o.right, [])}${writeElement(meta)}\n</link>\n`;
      }
    }
    out += `</${b.op}>\n`;
  }
  return `${out}</config>\n</iq>\n`;
}

/** Splits blocks into groups of at most 16 objects, keeping order and merging same-kind neighbours. */
export function chunkConfig(
  blocks: readonly ConfigBlock[],
  max = MAX_CONFIG_OBJECTS_PER_IQ,
): ConfigBlock[][] {
  const out: ConfigBlock[][] = [];
  let cur: ConfigBlock[] = [];
  let n = 0;
  for (const b of blocks) {
    for (const o of b.objects) {
      if (n === max) {
        out.push(cur);
        cur = [];
        n = 0;
      }
      const last = cur[cur.length - 1];
      if (last && last.op === b.op) last.objects.push(o);
      else cur.push({ op: b.op, objects: [o] });
      n++;
    }
  }
  if (n > 0) out.push(cur);
  return out;
}

function readRef(el: XmlElement, where: string): { ref: ConfigNodeRef; rest: XmlElement[] } {
  const type = el.attrs.type;
  if (type === undefined) throw new VocabularyError(`${where}/@type`, 'missing');
  let name: string | undefined;
  const rest: XmlElement[] = [];
  for (const ch of el.children) {
    if (typeof ch === 'string') continue;
    if (ch.name === 'name' && name === undefined) {
      name = ch.children
        .filter((t) => typeof t === 'string')
        .join('')
        .trim();
    } else rest.push(ch);
  }
  if (name === undefined) throw new VocabularyError(`${where}/name`, 'missing');
  return { ref: { type, name }, rest };
}

/** After the START of `<config>`: reads its blocks, consuming `</config>`. */
export function readConfig(c: XmlCursor): ConfigBlock[] {
  const blocks: ConfigBlock[] = [];
  while (c.nextChild()) {
    const op = c.name();
    if (op !== 'update' && op !== 'delete') {
      c.skip();
      continue;
    }
    const block: ConfigBlock = { op, objects: [] };
    while (c.nextChild()) {
      const el = readElement(c);
      if (el.name === 'node') {
        const { ref, rest } = readRef(el, 'config/node');
        block.objects.push({ kind: 'node', type: ref.type, name: ref.name, properties: rest });
      } else if (el.name === 'link') {
        const nodes = el.children.filter(
          (ch): ch is XmlElement => typeof ch !== 'string' && ch.name === 'node',
        );
        const meta = el.children.find(
          (ch): ch is XmlElement => typeof ch !== 'string' && ch.name === 'metadata',
        );
        if (nodes.length !== 2) throw new VocabularyError('config/link', `${nodes.length} nodes, expected 2`);
        block.objects.push({
          kind: 'link',
          left: readRef(nodes[0]!, 'config/link/node').ref,
          right: readRef(nodes[1]!, 'config/link/node').ref,
          metadata: meta?.attrs.type ?? '',
          metadataChildren: (meta?.children ?? []).filter((ch): ch is XmlElement => typeof ch !== 'string'),
        });
      }
    }
    blocks.push(block);
  }
  return blocks;
}
