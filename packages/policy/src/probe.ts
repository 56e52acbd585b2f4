// A flow between two endpoints, decided where the vRouter decides it: at the source interface (egress) and
// at the destination interface (ingress); an address outside the fabric has no ACL and decides nothing.
// Both ends must pass, as TF applies session policies at both VMIs of a local flow.

import { InputFormatError, MissingReferenceError } from './errors.js';
import { Decision, evaluate, FiveTuple } from './evaluate.js';
import type { PolicyCompiler } from './incremental.js';
import { PROTOCOLS } from './model.js';

export interface ProbeSpec {
  /** An interface name or an IP address outside the fabric. */
  src: string;
  dst: string;
  protocol: string | number;
  port?: number;
  srcPort?: number;
}

export interface ProbeResult {
  action: 'pass' | 'deny';
  /** Which end decided a deny (or the last end that passed by a rule). */
  side: 'source' | 'destination' | null;
  gate: string | null;
  rule: string | null;
  reason: string;
  source: ReturnType<Decision['toJSON']> | null;
  destination: ReturnType<Decision['toJSON']> | null;
}

function endpoint(c: PolicyCompiler, s: string, field: string): { iface: string | null; addr: string } {
  const addrs = c.addresses(s);
  if (addrs) {
    const first = addrs[0];
    if (first === undefined) throw new InputFormatError('probe', s, field, 'interface has no address');
    return { iface: s, addr: first.slice(0, first.indexOf('/')) };
  }
  if (/^[\d.]+$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s))) return { iface: null, addr: s };
  throw new MissingReferenceError('probe', s, field, 'interface', s);
}

/** Decides one flow between two endpoints (interfaces by name, or external addresses). */
export function probe(c: PolicyCompiler, p: ProbeSpec): ProbeResult {
  const proto = typeof p.protocol === 'number' ? p.protocol : PROTOCOLS[p.protocol.toLowerCase()];
  if (proto === undefined || proto < 0)
    throw new InputFormatError(
      'probe',
      `${p.src}->${p.dst}`,
      'protocol',
      `unknown protocol '${String(p.protocol)}'`,
    );
  const src = endpoint(c, p.src, 'src');
  const dst = endpoint(c, p.dst, 'dst');
  const t = new FiveTuple();
  const result: ProbeResult = {
    action: 'pass',
    side: null,
    gate: null,
    rule: null,
    reason: 'implicit-allow',
    source: null,
    destination: null,
  };
  for (const [side, end, direction] of [
    ['source', src, 'egress'],
    ['destination', dst, 'ingress'],
  ] as const) {
    if (end.iface === null) continue;
    const m = c.matcher(end.iface);
    // A down interface has no ACL: nothing reaches it and it sends nothing.
    const d = new Decision();
    if (!m) {
      d.action = 'deny';
      d.reason = 'implicit-deny';
    } else {
      t.set({
        src: src.addr,
        dst: dst.addr,
        protocol: proto,
        dstPort: p.port ?? 0,
        srcPort: p.srcPort ?? 0,
        direction,
      });
      evaluate(m, t, d);
    }
    result[side] = d.toJSON();
    if (d.action === 'deny') {
      return {
        ...result,
        action: 'deny',
        side,
        gate: d.gate,
        rule: d.ruleId,
        reason: m ? d.reason : 'interface-down',
      };
    }
    if (d.reason !== 'implicit-allow')
      Object.assign(result, { side, gate: d.gate, rule: d.ruleId, reason: d.reason });
  }
  return result;
}
