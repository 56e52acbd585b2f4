// RFC 6793 4.2.3: rebuilding the AS path a 2-octet-AS ("OLD") speaker sent, and 4.2.2: what to send one.
// Received: the codec's reconstructAsPath merges AS_PATH and AS4_PATH; here the attribute list is rewritten.
// Sent: AS numbers above 65535 become AS_TRANS in AS_PATH, and AS4_PATH carries the true path.

import { reconstructAsPath } from '../attributes/as-path.js';
import type { PathAttribute } from '../attributes/index.js';
import { AS_TRANS } from '../open.js';

/**
 * Applies RFC 6793 4.2.3 to a decoded attribute list from a peer without 4-octet AS: AS_PATH and
 * AGGREGATOR take their AS4 counterparts' values; AS4_PATH and AS4_AGGREGATOR are dropped.
 */
export function reconstructAs4(attributes: readonly PathAttribute[]): PathAttribute[] {
  const as4 = attributes.find((a) => a.type === 'AS4_PATH');
  const agg = attributes.find((a) => a.type === 'AGGREGATOR');
  const agg4 = attributes.find((a) => a.type === 'AS4_AGGREGATOR');
  // RFC 6793 4.2.3: an AGGREGATOR with a 2-octet AS other than AS_TRANS means AS4 attributes are ignored
  const ignore = agg?.type === 'AGGREGATOR' && agg.asn !== AS_TRANS && agg4 !== undefined;
  const out: PathAttribute[] = [];
  for (const a of attributes) {
    if (a.type === 'AS4_PATH' || a.type === 'AS4_AGGREGATOR') continue;
    if (a.type === 'AS_PATH' && as4?.type === 'AS4_PATH' && !ignore) {
      out.push({ type: 'AS_PATH', segments: reconstructAsPath(a.segments, as4.segments) });
    } else if (a.type === 'AGGREGATOR' && agg4?.type === 'AS4_AGGREGATOR' && !ignore) {
      out.push({ type: 'AGGREGATOR', asn: agg4.asn, address: agg4.address });
    } else out.push(a);
  }
  return out;
}

/** For a peer without 4-octet AS: AS_PATH with AS_TRANS, plus AS4_PATH when any AS needs 4 octets. */
export function downgradeAs4(attributes: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attributes) {
    if (a.type === 'AS_PATH') {
      const wide = a.segments.some((s) => s.asns.some((x) => x > 0xffff));
      out.push({
        type: 'AS_PATH',
        segments: a.segments.map((s) => ({
          type: s.type,
          asns: s.asns.map((x) => (x > 0xffff ? AS_TRANS : x)),
        })),
      });
      if (wide) {
        out.push({
          type: 'AS4_PATH',
          segments: a.segments.filter((s) => s.type === 'sequence' || s.type === 'set'),
        });
      }
    } else if (a.type === 'AGGREGATOR' && a.asn > 0xffff) {
      out.push({ type: 'AGGREGATOR', asn: AS_TRANS, address: a.address });
      out.push({ type: 'AS4_AGGREGATOR', asn: a.asn, address: a.address });
    } else out.push(a);
  }
  return out;
}
