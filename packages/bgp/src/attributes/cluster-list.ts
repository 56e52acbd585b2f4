// RFC 4456 8: CLUSTER_LIST (type 10, optional non-transitive), the CLUSTER_IDs a reflected route passed.
// RFC 7606 7.10: a length of 0 or not a multiple of 4 is treat-as-withdraw; from an external peer the
// attribute is discarded.
//
//  +-------+-------+-------+-------+
//  |          CLUSTER_ID           |   repeated
//  +-------+-------+-------+-------+
import { ipv4Text, type Writer, writeIpv4 } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface ClusterListAttr {
  type: 'CLUSTER_LIST';
  flags?: number;
  clusterIds: string[];
}

export function decodeClusterList(
  buf: Uint8Array,
  o: number,
  len: number,
  external: boolean,
): ClusterListAttr {
  if (len === 0 || len % 4 !== 0) {
    throw attrError(
      'CLUSTER_LIST',
      o,
      `length ${len} is not a non-zero multiple of 4`,
      'treat-as-withdraw',
      LENGTH_ERROR,
    );
  }
  if (external)
    throw attrError('CLUSTER_LIST', o, 'CLUSTER_LIST from an external peer', 'attribute-discard', 9);
  const clusterIds: string[] = [];
  for (let p = o; p < o + len; p += 4) clusterIds.push(ipv4Text(buf, p));
  return { type: 'CLUSTER_LIST', clusterIds };
}

export function encodeClusterList(a: ClusterListAttr, w: Writer): void {
  for (const id of a.clusterIds) writeIpv4(w, id, 'attribute:CLUSTER_LIST', 'clusterId');
}
